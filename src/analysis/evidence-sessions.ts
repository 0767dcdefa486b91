// Outbound SMTP sessions per remote domain, from the derived sessions (which domain a session
// belongs to is decided there: src/analysis/derived/sessions.ts) and their recipients' replies.
import type { DuckDBConnection } from '@duckdb/node-api';
import { findStatusCode, statusCodeInfo } from '../knowledge/status-codes.js';
import { RULES } from './rules.js';
import { queryRows, windowParams, type Window } from './sql.js';

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

/** Outbound sessions of the window, one row per (session, domain), and their XEXCH50 commands (src/analysis/derived/sessions.ts). */
const SESSIONS = 'outbound_sessions_in($since, $until)';
const XEXCH50 = 'xexch50_attempts_in($since, $until)';

type Row<T> = T & { domain: string };

export async function sessionEvidence(connection: DuckDBConnection, window: Window): Promise<SessionFacts> {
  const params = windowParams(window);
  {
    const stats = await queryRows<Row<{
      sessions: number;
      connected: number;
      no_connection: number;
      advertised: number;
      blocked: number;
      harmless: number;
      ehlo_refused: number;
      masked: number;
      first_ns: bigint | null;
      last_ns: bigint | null;
      examples: SessionExample[][];
    }>>(
      connection,
      `SELECT domain,
              count(*)::INTEGER AS sessions,
              count(*) FILTER (WHERE banner_code BETWEEN 200 AND 299)::INTEGER AS connected,
              count(*) FILTER (WHERE banner_code IS NULL AND list_contains($noConnection, end_reason))::INTEGER AS no_connection,
              count(*) FILTER (WHERE xexch50_advertised)::INTEGER AS advertised,
              count(*) FILTER (WHERE blocked)::INTEGER AS blocked,
              count(*) FILTER (WHERE xexch50_sent AND list_contains($harmless, CAST(xexch50_reply_code AS VARCHAR)))::INTEGER AS harmless,
              count(*) FILTER (WHERE ehlo_refused)::INTEGER AS ehlo_refused,
              count(*) FILTER (WHERE masked_verbs)::INTEGER AS masked,
              epoch_ns(min(start_time)) AS first_ns,
              epoch_ns(max(coalesce(end_time, start_time))) AS last_ns,
              -- Examples, most telling first: cut after XEXCH50, no banner, EHLO refused, any.
              [min_by(example, start_time, $perKind) FILTER (WHERE blocked),
               min_by(example, start_time, $perKind) FILTER (WHERE banner_code IS NULL),
               min_by(example, start_time, $perKind) FILTER (WHERE ehlo_refused),
               min_by(example, start_time, $perKind)] AS examples
         FROM (SELECT *, {'start': epoch_ns(start_time), 'server': server, 'session_key': session_key,
                          'remote_ip': remote_ip, 'remote_host': remote_host, 'greeting': greeting,
                          'xexch50_bytes': xexch50_bytes, 'xexch50_outcome': xexch50_outcome,
                          'end_reason': end_reason, 'first_line_no': first_line_no} AS example
                 FROM ${SESSIONS} WHERE domain IS NOT NULL)
        GROUP BY domain`,
      {
        noConnection: RULES.sessions.noConnectionEndReasons,
        harmless: RULES.replies.xexch50Harmless,
        perKind: { bigint: BigInt(RULES.examples.perKind) },
        ...params,
      },
    );
    const byReason = await queryRows<Row<{ kind: string; value: string; n: number }>>(
      connection,
      `SELECT domain, 'end' AS kind, coalesce(end_reason, '(unknown)') AS value, count(*)::INTEGER AS n
         FROM ${SESSIONS} WHERE domain IS NOT NULL GROUP BY ALL
       UNION ALL
       SELECT domain, 'xexch50', coalesce(xexch50_outcome, '(unknown)'), count(*)::INTEGER
         FROM ${SESSIONS} WHERE domain IS NOT NULL AND xexch50_sent GROUP BY ALL
       ORDER BY 1, 2, 4 DESC, 3`,
      params,
    );
    const recipients = await queryRows<Row<{ code: number | null; text: string | null; n: number }>>(
      connection,
      `SELECT lower(r.domain) AS domain, r.reply_code AS code, r.reply_text AS text, count(*)::INTEGER AS n
         FROM smtp_session_recipients r SEMI JOIN ${SESSIONS} s USING (file_id, seq)
        WHERE r.domain IS NOT NULL
        GROUP BY ALL`,
      params,
    );
    const attemptCounts = await queryRows<Row<{ n: number }>>(
      connection,
      `SELECT domain, count(*)::INTEGER AS n FROM ${XEXCH50} WHERE domain IS NOT NULL GROUP BY domain`,
      params,
    );
    const [{ unassigned }] = await queryRows<{ unassigned: number }>(
      connection,
      `SELECT count(*)::INTEGER AS unassigned FROM ${SESSIONS} WHERE domain IS NULL`,
      params,
    );

    const byDomain = new Map<string, SessionEvidence>();
    for (const s of stats) {
      const seen = new Set<string>();
      const examples = s.examples
        .flatMap((list) => list ?? [])
        .filter((x) => !seen.has(`${x.server}/${x.session_key}`) && seen.add(`${x.server}/${x.session_key}`))
        .slice(0, RULES.examples.perKind)
        .map((x) => ({ ...x, xexch50_bytes: x.xexch50_bytes === null ? null : Number(x.xexch50_bytes), first_line_no: x.first_line_no === null ? null : Number(x.first_line_no) }));
      byDomain.set(s.domain, {
        sessions: s.sessions,
        connected: s.connected,
        noConnection: s.no_connection,
        endReasons: {},
        xexch50Advertised: s.advertised,
        xexch50Attempts: 0,
        xexch50Outcomes: {},
        xexch50Blocked: s.blocked,
        xexch50Harmless: s.harmless,
        ehloRefused: s.ehlo_refused,
        maskedVerbs: s.masked,
        recipientsAccepted: 0,
        recipientRejections: {},
        recipientRejectedPermanent: 0,
        first: s.first_ns,
        last: s.last_ns,
        examples,
      });
    }
    for (const r of byReason) {
      const e = byDomain.get(r.domain);
      if (e) (r.kind === 'end' ? e.endReasons : e.xexch50Outcomes)[r.value] = r.n;
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
    for (const c of attemptCounts) {
      const e = byDomain.get(c.domain);
      if (e) e.xexch50Attempts = c.n;
    }
    return { byDomain, unassigned };
  }
}
