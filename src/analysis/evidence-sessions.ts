// Outbound SMTP sessions per remote domain: which domain a session belongs to is decided in
// src/analysis/derived/sessions.ts; here the per-file sums of derived/session-stats.ts are added up.
import type { DuckDBConnection } from '@duckdb/node-api';
import { findStatusCode, statusCodeInfo } from '../knowledge/status-codes.js';
import { RULES } from './rules.js';
import { inWindow, queryRows, windowParams, type Window } from './sql.js';
import { EVERYTHING, type Scope } from './derived/sql-text.js';
import { recipientRepliesSelect, sessionAddressesSelect, sessionStatsSelect } from './derived/session-stats.js';

export interface SessionExample {
  start: bigint | null;
  server: string | null;
  session_key: string | null;
  remote_ip: string | null;
  remote_host: string | null;
  greeting: string | null;
  xexch50_bytes: number | null;
  xexch50_outcome: string | null;
  end_reason: string | null;
  first_line_no: number | null;
}

export interface SessionEvidence {
  sessions: number;
  /** Sessions that got a 2xx banner. */
  connected: number;
  /** Sessions refused or timed out before any banner. */
  noConnection: number;
  endReasons: Record<string, number>;
  xexch50Advertised: number;
  /** XEXCH50 commands sent (protocol-log lines; one per message in a session). */
  xexch50Attempts: number;
  xexch50Outcomes: Record<string, number>;
  xexch50Blocked: number;
  /** XEXCH50 refused with a harmless reply (504 Need to authenticate first). */
  xexch50Harmless: number;
  ehloRefused: number;
  maskedVerbs: number;
  recipientsAccepted: number;
  /** RCPT replies by enhanced status code (or reply code) for refused recipients. */
  recipientRejections: Record<string, number>;
  recipientRejectedPermanent: number;
  first: bigint | null;
  last: bigint | null;
  examples: SessionExample[];
}

export interface SessionFacts {
  byDomain: Map<string, SessionEvidence>;
  /** Outbound sessions no domain could be given to. */
  unassigned: number;
}

interface StatsRow {
  domain: string | null;
  sessions: number;
  connected: number;
  no_connection: number;
  advertised: number;
  blocked: number;
  harmless: number;
  ehlo_refused: number;
  masked: number;
  xexch50_attempts: number;
  first_ns: bigint | null;
  last_ns: bigint | null;
  end_reasons: { key: string; value: bigint }[];
  xexch50_outcomes: { key: string; value: bigint }[] | null;
  examples: (SessionExample[] | null)[];
}

const open = (window: Window) => window.since === null && window.until === null;
const startedIn: Scope = (alias) => inWindow(`${alias}.start_time`);

/** Per-file sums (derived/session-stats.ts): kept in the store for all time, computed now for a window. */
function sources(window: Window): { stats: string; addresses: string; replies: string } {
  if (open(window)) return { stats: 'session_domain_stats', addresses: 'session_addresses', replies: 'session_recipient_replies' };
  return {
    stats: `(${sessionStatsSelect('outbound_sessions', startedIn)})`,
    addresses: `(${sessionAddressesSelect('outbound_sessions', startedIn)})`,
    replies: `(${recipientRepliesSelect(startedIn, EVERYTHING)})`,
  };
}

function addCounts(into: Record<string, number>, entries: { key: string; value: bigint }[] | null): void {
  for (const { key, value } of entries ?? []) into[key] = (into[key] ?? 0) + Number(value);
}

/** Most frequent first, then by name (as the evidence lists them). */
function byCount(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a, x], [b, y]) => y - x || a.localeCompare(b)));
}

function emptyEvidence(): SessionEvidence {
  return {
    sessions: 0, connected: 0, noConnection: 0, endReasons: {}, xexch50Advertised: 0, xexch50Attempts: 0, xexch50Outcomes: {},
    xexch50Blocked: 0, xexch50Harmless: 0, ehloRefused: 0, maskedVerbs: 0, recipientsAccepted: 0, recipientRejections: {},
    recipientRejectedPermanent: 0, first: null, last: null, examples: [],
  };
}

export async function sessionEvidence(connection: DuckDBConnection, window: Window): Promise<SessionFacts> {
  const params = windowParams(window);
  const { stats, addresses, replies } = sources(window);
  // Unresolved sessions take the domains that sessions of the window carried mail for at their address.
  const rows = await queryRows<StatsRow>(
    connection,
    `SELECT coalesce(st.domain, a.domain) AS domain, st.* EXCLUDE (domain, file_id, unresolved_ip, end_reasons, xexch50_outcomes),
            map_entries(st.end_reasons) AS end_reasons, map_entries(st.xexch50_outcomes) AS xexch50_outcomes
       FROM ${stats} st
       LEFT JOIN (SELECT DISTINCT remote_ip, domain FROM ${addresses}) a ON st.domain IS NULL AND a.remote_ip = st.unresolved_ip`,
    params,
  );
  const recipients = await queryRows<{ domain: string; code: number | null; text: string | null; n: number }>(
    connection,
    `SELECT domain, code, text, sum(n)::INTEGER AS n FROM ${replies} GROUP BY ALL`,
    params,
  );

  const byDomain = new Map<string, SessionEvidence>();
  const examples = new Map<string, SessionExample[][]>();
  let unassigned = 0;
  for (const r of rows) {
    if (r.domain === null) {
      unassigned += r.sessions;
      continue;
    }
    const e = byDomain.get(r.domain) ?? emptyEvidence();
    byDomain.set(r.domain, e);
    e.sessions += r.sessions;
    e.connected += r.connected;
    e.noConnection += r.no_connection;
    e.xexch50Advertised += r.advertised;
    e.xexch50Blocked += r.blocked;
    e.xexch50Harmless += r.harmless;
    e.ehloRefused += r.ehlo_refused;
    e.maskedVerbs += r.masked;
    e.xexch50Attempts += r.xexch50_attempts;
    e.first = r.first_ns === null || (e.first !== null && e.first <= r.first_ns) ? e.first : r.first_ns;
    e.last = r.last_ns === null || (e.last !== null && e.last >= r.last_ns) ? e.last : r.last_ns;
    addCounts(e.endReasons, r.end_reasons);
    addCounts(e.xexch50Outcomes, r.xexch50_outcomes);
    const kinds = examples.get(r.domain) ?? r.examples.map(() => []);
    r.examples.forEach((list, kind) => kinds[kind].push(...(list ?? [])));
    examples.set(r.domain, kinds);
  }
  for (const [domain, e] of byDomain) {
    e.endReasons = byCount(e.endReasons);
    e.xexch50Outcomes = byCount(e.xexch50Outcomes);
    const seen = new Set<string>();
    e.examples = (examples.get(domain) ?? [])
      .flatMap((list) => [...list].sort((a, b) => Number((a.start ?? 0n) - (b.start ?? 0n))).slice(0, RULES.examples.perKind))
      .filter((x) => !seen.has(`${x.server}/${x.session_key}`) && seen.add(`${x.server}/${x.session_key}`))
      .slice(0, RULES.examples.perKind)
      .map((x) => ({ ...x, xexch50_bytes: x.xexch50_bytes === null ? null : Number(x.xexch50_bytes), first_line_no: x.first_line_no === null ? null : Number(x.first_line_no) }));
  }
  for (const r of recipients) {
    const e = byDomain.get(r.domain);
    if (!e) continue;
    if (r.code !== null && r.code < 400) {
      e.recipientsAccepted += r.n;
      continue;
    }
    const status = findStatusCode(r.text);
    const key = status ?? String(r.code ?? '(no reply)');
    e.recipientRejections[key] = (e.recipientRejections[key] ?? 0) + r.n;
    if (status !== null && r.code !== null && r.code >= 500 && statusCodeInfo(status).class === 'recipient') {
      e.recipientRejectedPermanent += r.n;
    }
  }
  return { byDomain, unassigned };
}
