// The firewall side beyond the XEXCH50 events (attribution.ts): SmtpEvt 20031 "An unknown SMTP
// command" events for other verbs or without Data, and how many ISA firewall-log rows are for SMTP
// (port 25).
import type { DuckDBConnection } from '@duckdb/node-api';
import { RULES } from './rules.js';
import { inWindow, queryRows, windowParams, type Window } from './sql.js';
import { XEXCH50_EVENTS } from './derived/firewall.js';

export interface FirewallFacts {
  /** Events naming another verb, per host and verb. */
  otherVerbs: Map<string, Record<string, number>>;
  /** Events without Data (Event Viewer CSV/TXT exports): the verb is unknown. */
  unknownVerb: Map<string, number>;
  firewallLogRows: number;
}

export async function firewallEvidence(connection: DuckDBConnection, window: Window): Promise<FirewallFacts> {
  const rules = RULES.firewallEvent;
  const kinds = await queryRows<{ host: string; verb: string | null; n: number }>(
    connection,
    `SELECT host, upper(verb) AS verb, count(*)::INTEGER AS n FROM smtp_filter_events
      WHERE event_id = $eventId AND time_created IS NOT NULL AND ${inWindow('time_created')} AND NOT coalesce(${XEXCH50_EVENTS}, false)
        -- Without Data only the description can say what this is (log-formats.md §8.3).
        AND (data IS NOT NULL OR message IS NULL OR contains(lower(message), $description))
      GROUP BY ALL`,
    { ...windowParams(window), eventId: rules.eventId, description: rules.descriptionPattern.toLowerCase() },
  );
  const [{ rows }] = await queryRows<{ rows: number }>(
    connection,
    `SELECT count(*)::INTEGER AS rows FROM firewall_log WHERE dest_port = $port AND ${inWindow('time')}`,
    { ...windowParams(window), port: RULES.attribution.smtpPort },
  );
  const facts: FirewallFacts = { otherVerbs: new Map(), unknownVerb: new Map(), firewallLogRows: rows };
  for (const k of kinds) {
    if (k.verb === null) {
      facts.unknownVerb.set(k.host, (facts.unknownVerb.get(k.host) ?? 0) + k.n);
      continue;
    }
    const entry = facts.otherVerbs.get(k.host) ?? {};
    entry[k.verb] = (entry[k.verb] ?? 0) + k.n;
    facts.otherVerbs.set(k.host, entry);
  }
  return facts;
}
