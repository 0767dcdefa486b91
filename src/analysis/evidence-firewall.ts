// The firewall side beyond the XEXCH50 events (attribution.ts): SmtpEvt 20031 "An unknown SMTP
// command" events for other verbs or without Data, and how many ISA firewall-log rows are for SMTP
// (port 25).
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, windowParams, type Window } from './sql.js';
import { firewallSmtpRowsIn, smtpFilterCountsIn } from './derived/firewall.js';

export interface FirewallFacts {
  /** Events naming another verb, per host and verb. */
  otherVerbs: Map<string, Record<string, number>>;
  /** Events without Data (Event Viewer CSV/TXT exports): the verb is unknown. */
  unknownVerb: Map<string, number>;
  firewallLogRows: number;
}

export async function firewallEvidence(connection: DuckDBConnection, window: Window): Promise<FirewallFacts> {
  const kinds = await queryRows<{ host: string; verb: string | null; n: number }>(
    connection,
    `SELECT host, verb, sum(events)::INTEGER AS n FROM ${smtpFilterCountsIn(window)} WHERE NOT xexch50 AND described GROUP BY ALL`,
    windowParams(window),
  );
  const [{ rows }] = await queryRows<{ rows: number }>(
    connection,
    `SELECT coalesce(sum(rows), 0)::INTEGER AS rows FROM ${firewallSmtpRowsIn(window)}`,
    windowParams(window),
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
