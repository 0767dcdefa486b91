// Outbound SMTP sessions (smtp_sessions, smtp_lines, smtp_session_recipients), per remote domain.
// A session belongs to the domains of its recipients; a session that never reached RCPT (refused,
// timed out, dropped before the banner) belongs to the domain a `*` line of it names (2007+ SEND
// logs: "Destination domain: ..."), else to the domains other sessions to the same remote address
// carried mail for.
import type { DuckDBConnection } from '@duckdb/node-api';
import { findStatusCode, statusCodeInfo } from '../knowledge/status-codes.js';
import { RULES } from './rules.js';
import { inWindow, queryRows, windowParams, type Window } from './sql.js';
import type { XexchAttempt } from './attribution.js';

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
  /** Outbound XEXCH50 commands never acknowledged, with their domain, for firewall-event matching. */
  attempts: XexchAttempt[];
  /** Outbound sessions no domain could be given to. */
  unassigned: number;
}

const SESSIONS = 'diag_sessions';
const XEXCH50 = 'diag_xexch50';

/**
 * An XEXCH50 whose acknowledgement never came: the session dropped after it, or the log ended
 * right after the 354 go-ahead with nothing more on that connection.
 */
const BLOCKED = `xexch50_sent AND (list_contains($blockedOutcomes, xexch50_outcome) OR list_contains($blockedEnds, end_reason)
  OR (xexch50_outcome IS NULL AND xexch50_reply_code = $goAhead AND list_contains($unfinished, end_reason)))`;

/**
 * The temp table of outbound sessions in the window, one row per (session, domain) with the
 * columns the evidence needs and the blocked flag; domain null = no domain could be given.
 */
async function buildSessions(connection: DuckDBConnection, window: Window): Promise<void> {
  await queryRows(
    connection,
    `CREATE OR REPLACE TEMP TABLE ${SESSIONS} AS
     WITH s AS (
       SELECT file_id, seq, session_key, server, start_time, end_time, remote_ip, remote_host, banner_code, greeting,
              ehlo_refused, masked_verbs, xexch50_advertised, xexch50_sent, xexch50_bytes, xexch50_reply_code,
              xexch50_outcome, end_reason, first_line_no, recipient_domains
         FROM smtp_sessions WHERE direction = 'outbound' AND ${inWindow('start_time')}
     ),
     named AS (
       SELECT file_id, seq, domain FROM (
         SELECT file_id, seq, lower(trim(unnest(string_split(recipient_domains, ',')))) AS domain
           FROM s WHERE recipient_domains IS NOT NULL)
        WHERE domain <> ''
     ),
     bare AS (
       SELECT file_id, seq, session_key, remote_ip FROM s ANTI JOIN named USING (file_id, seq)
     ),
     noted AS (
       SELECT DISTINCT b.file_id, b.seq, lower(regexp_extract(l.argument, $destination, 1)) AS domain
         FROM bare b JOIN smtp_lines l USING (file_id, session_key)
        WHERE l.direction = 'outbound' AND l.event = '*' AND contains(l.argument, $marker) AND regexp_matches(l.argument, $destination)
     ),
     ip_domain AS (
       SELECT DISTINCT s.remote_ip, n.domain FROM s JOIN named n USING (file_id, seq)
        WHERE s.remote_ip IN (SELECT remote_ip FROM bare)
     ),
     by_ip AS (
       SELECT b.file_id, b.seq, i.domain FROM bare b JOIN ip_domain i USING (remote_ip) ANTI JOIN noted n USING (file_id, seq)
     ),
     unassigned AS (
       SELECT file_id, seq, NULL::VARCHAR AS domain FROM bare ANTI JOIN noted USING (file_id, seq) ANTI JOIN by_ip USING (file_id, seq)
     ),
     assigned AS (
       SELECT * FROM named UNION ALL SELECT * FROM noted UNION ALL SELECT * FROM by_ip UNION ALL SELECT * FROM unassigned
     )
     SELECT s.* EXCLUDE (recipient_domains), a.domain, coalesce(${BLOCKED}, false) AS blocked
       FROM s JOIN assigned a USING (file_id, seq)`,
    {
      ...windowParams(window),
      destination: RULES.sessions.destinationDomainPattern,
      // A literal part of the pattern: a cheap filter before the regular expression.
      marker: RULES.sessions.destinationDomainPattern.split('(')[0],
      blockedOutcomes: RULES.sessions.xexch50BlockedOutcomes,
      blockedEnds: RULES.sessions.xexch50BlockedEndReasons,
      goAhead: RULES.sessions.xexch50GoAheadCode,
      unfinished: RULES.sessions.unfinishedEndReasons,
    },
  );
  // One row per XEXCH50 command: from the protocol-log lines (exact time, one per message), or from
  // the session record alone when its lines are not in the store.
  await queryRows(
    connection,
    `CREATE OR REPLACE TEMP TABLE ${XEXCH50} AS
     WITH x AS (
       SELECT file_id, session_key, epoch_ns(time) / 1e6 AS time_ms, regexp_extract(argument, '^\\s*([0-9]+)', 1) AS bytes
         FROM smtp_lines
        WHERE direction = 'outbound' AND verb = 'XEXCH50' AND time IS NOT NULL
     )
     SELECT s.domain, coalesce(x.time_ms, epoch_ns(s.start_time) / 1e6) AS time_ms,
            coalesce(nullif(x.bytes, ''), CAST(s.xexch50_bytes AS VARCHAR)) AS bytes, s.session_key, s.blocked
       FROM ${SESSIONS} s LEFT JOIN x USING (file_id, session_key)
      WHERE s.domain IS NOT NULL AND (x.time_ms IS NOT NULL OR s.xexch50_sent)`,
  );
}

type Row<T> = T & { domain: string };

export async function sessionEvidence(connection: DuckDBConnection, window: Window): Promise<SessionFacts> {
  await buildSessions(connection, window);
  try {
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
    );
    const recipients = await queryRows<Row<{ code: number | null; text: string | null; n: number }>>(
      connection,
      `SELECT lower(r.domain) AS domain, r.reply_code AS code, r.reply_text AS text, count(*)::INTEGER AS n
         FROM smtp_session_recipients r SEMI JOIN ${SESSIONS} s USING (file_id, seq)
        WHERE r.domain IS NOT NULL
        GROUP BY ALL`,
    );
    const attemptCounts = await queryRows<Row<{ n: number }>>(
      connection,
      `SELECT domain, count(*)::INTEGER AS n FROM ${XEXCH50} GROUP BY domain`,
    );
    const blocked = await queryRows<Row<{ time_ms: number[]; bytes: number[] }>>(
      connection,
      `SELECT domain, list(time_ms) AS time_ms, list(bytes::INTEGER) AS bytes FROM ${XEXCH50}
        WHERE blocked AND time_ms IS NOT NULL AND TRY_CAST(bytes AS INTEGER) IS NOT NULL
        GROUP BY domain`,
    );
    const [{ unassigned }] = await queryRows<{ unassigned: number }>(
      connection,
      `SELECT count(*)::INTEGER AS unassigned FROM ${SESSIONS} WHERE domain IS NULL`,
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
    const attempts: XexchAttempt[] = blocked.flatMap(({ domain, time_ms, bytes }) => time_ms.map((time, i) => ({ domain, time, bytes: bytes[i] })));
    return { byDomain, attempts, unassigned };
  } finally {
    await queryRows(connection, `DROP TABLE IF EXISTS ${XEXCH50}`);
    await queryRows(connection, `DROP TABLE IF EXISTS ${SESSIONS}`);
  }
}
