// The firewall side: SmtpEvt 20031 "An unknown SMTP command" events (the verb and byte count are
// in the Binary data, e.g. `XEXCH50 1020`) and ISA firewall-log rows for SMTP (port 25).
import type { DuckDBConnection } from '@duckdb/node-api';
import { RULES } from './rules.js';
import { inWindow, queryRows, windowParams, type Window } from './sql.js';
import type { FirewallConnections, FirewallEvent } from './attribution.js';

export interface FirewallFacts {
  /** Events whose Data names the XEXCH50 verb: the only ones that can be KB 818222 evidence. */
  xexch50Events: FirewallEvent[];
  /** Events naming another verb, per host and verb. */
  otherVerbs: Map<string, Record<string, number>>;
  /** Events without Data (Event Viewer CSV/TXT exports): the verb is unknown. */
  unknownVerb: Map<string, number>;
  /** Times of the port-25 firewall-log rows per ISA host. */
  connections: FirewallConnections;
  firewallLogRows: number;
}

function bump(map: Map<string, Record<string, number>>, host: string, key: string, n = 1): void {
  const entry = map.get(host) ?? {};
  entry[key] = (entry[key] ?? 0) + n;
  map.set(host, entry);
}

export async function firewallEvidence(connection: DuckDBConnection, window: Window): Promise<FirewallFacts> {
  const rules = RULES.firewallEvent;
  const events = `SELECT coalesce(computer, '(unknown host)') AS host, CAST(record_id AS DOUBLE) AS record_id,
            epoch_ns(time_created) / 1e6 AS time_ms, trim(binary_text) AS data, message
       FROM events
      WHERE lower(provider) = lower($provider) AND event_id = $eventId AND time_created IS NOT NULL
        AND ${inWindow('time_created')}`;
  const xexch50 = rules.xexch50Verb.toUpperCase();
  const params = {
    ...windowParams(window),
    provider: rules.provider,
    eventId: rules.eventId,
    pattern: rules.dataPattern,
    prefix: `${xexch50} `,
    description: rules.descriptionPattern.toLowerCase(),
  };
  // Events for other verbs, and without Data: counts per host (few rows).
  const kinds = await queryRows<{ host: string; verb: string | null; n: number }>(
    connection,
    `SELECT host, upper(nullif(regexp_extract(data, $pattern, 1), '')) AS verb, count(*)::INTEGER AS n FROM (${events})
      WHERE NOT starts_with(upper(coalesce(data, '')), $prefix)
        -- Without Data only the description can say what this is (log-formats.md §8.3).
        AND (data IS NOT NULL OR message IS NULL OR contains(lower(message), $description))
      GROUP BY ALL`,
    params,
  );
  // XEXCH50 events, as lists per host (millions at scale: columns convert far faster than rows).
  const hosts = await queryRows<{ host: string; record_id: (number | null)[]; time_ms: number[]; data: string[] }>(
    connection,
    `SELECT host, list(record_id) AS record_id, list(time_ms) AS time_ms, list(data) AS data FROM (${events})
      WHERE starts_with(upper(data), $prefix) GROUP BY host`,
    params,
  );
  const facts: FirewallFacts = {
    xexch50Events: [],
    otherVerbs: new Map(),
    unknownVerb: new Map(),
    connections: new Map(),
    firewallLogRows: 0,
  };
  for (const k of kinds) {
    if (k.verb === null) facts.unknownVerb.set(k.host, (facts.unknownVerb.get(k.host) ?? 0) + k.n);
    else bump(facts.otherVerbs, k.host, k.verb, k.n);
  }
  const pattern = new RegExp(rules.dataPattern);
  for (const h of hosts) {
    for (let i = 0; i < h.data.length; i++) {
      const m = pattern.exec(h.data[i]);
      if (!m || m[2] === undefined) {
        bump(facts.otherVerbs, h.host, xexch50);
        continue;
      }
      // Data cut at the documented length may have lost digits of the count (log-formats.md §1).
      const truncated = m[3] === undefined && h.data[i].length === rules.dataTruncatedAtBytes;
      facts.xexch50Events.push({ host: h.host, recordId: h.record_id[i], time: h.time_ms[i], bytesText: m[2], truncated });
    }
  }

  const rows = await queryRows<{ host: string; n: number; times: number[] | null }>(
    connection,
    `SELECT coalesce(isa_host, '(unknown host)') AS host, count(*)::INTEGER AS n,
            list(epoch_ns(time) / 1e6 ORDER BY time) FILTER (WHERE time IS NOT NULL) AS times
       FROM firewall_log
      WHERE dest_port = $port AND ${inWindow('time')}
      GROUP BY ALL`,
    { ...windowParams(window), port: RULES.attribution.smtpPort },
  );
  for (const r of rows) {
    facts.firewallLogRows += r.n;
    facts.connections.set(r.host, [...(facts.connections.get(r.host) ?? []), ...(r.times ?? [])]);
  }
  return facts;
}
