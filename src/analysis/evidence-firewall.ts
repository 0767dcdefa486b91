// The firewall side: SmtpEvt 20031 "An unknown SMTP command" events (the verb and byte count are
// in the Binary data, e.g. `XEXCH50 1020`) and ISA firewall-log rows for SMTP (port 25).
import type { DuckDBConnection } from '@duckdb/node-api';
import { RULES, matchesAny } from './rules.js';
import { inWindow, queryColumns, queryRows, windowParams, type Window } from './sql.js';
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

export type ParsedData = { verb: string; bytesText: string | null; truncated: boolean } | null;

const DATA_PATTERN = new RegExp(RULES.firewallEvent.dataPattern);

/** Parses SmtpEvt Data text (`XEXCH50 1020`, `XEXCH50 1124 2`, `TURN`); null when it is not a command. */
export function parseEventData(text: string | null): ParsedData {
  if (!text) return null;
  const m = DATA_PATTERN.exec(text.trim());
  if (!m) return null;
  const bytesText = m[2] ?? null;
  // Data cut at the documented length may have lost digits of the count (log-formats.md §1).
  const truncated = bytesText !== null && m[3] === undefined && text.trim().length === RULES.firewallEvent.dataTruncatedAtBytes;
  return { verb: m[1].toUpperCase(), bytesText, truncated };
}

function bump(map: Map<string, Record<string, number>>, host: string, key: string, n = 1): void {
  const entry = map.get(host) ?? {};
  entry[key] = (entry[key] ?? 0) + n;
  map.set(host, entry);
}

export async function firewallEvidence(connection: DuckDBConnection, window: Window): Promise<FirewallFacts> {
  const rules = RULES.firewallEvent;
  const events = await queryColumns<{
    host: string[];
    record_id: (number | null)[];
    time_ms: number[];
    binary_text: (string | null)[];
    message: (string | null)[];
  }>(
    connection,
    `SELECT coalesce(computer, '(unknown host)') AS host, CAST(record_id AS DOUBLE) AS record_id,
            epoch_ns(time_created) / 1e6 AS time_ms, binary_text, message
       FROM events
      WHERE lower(provider) = lower($provider) AND event_id = $eventId AND time_created IS NOT NULL
        AND ${inWindow('time_created')}`,
    { ...windowParams(window), provider: rules.provider, eventId: rules.eventId },
  );
  const facts: FirewallFacts = {
    xexch50Events: [],
    otherVerbs: new Map(),
    unknownVerb: new Map(),
    connections: new Map(),
    firewallLogRows: 0,
  };
  const xexch50 = rules.xexch50Verb.toUpperCase();
  for (let i = 0; i < events.host.length; i++) {
    const host = events.host[i];
    const data = parseEventData(events.binary_text[i]);
    if (data === null) {
      // Without Data only the description can say what this is (log-formats.md §8.3).
      const message = events.message[i];
      if (message === null || matchesAny(message, [rules.descriptionPattern])) {
        facts.unknownVerb.set(host, (facts.unknownVerb.get(host) ?? 0) + 1);
      }
      continue;
    }
    if (data.verb === xexch50 && data.bytesText !== null) {
      facts.xexch50Events.push({ host, recordId: events.record_id[i], time: events.time_ms[i], bytesText: data.bytesText, truncated: data.truncated });
    } else {
      bump(facts.otherVerbs, host, data.verb);
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
