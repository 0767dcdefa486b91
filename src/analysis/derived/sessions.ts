// Outbound SMTP sessions with their remote domain(s), and their XEXCH50 commands. A session and its
// protocol lines come from one file, so these rows are computed once, with that file.
// A session belongs to the domains of its recipients; one that never reached RCPT (refused, timed
// out, dropped before the banner) to the domain a `*` line of it names (2007+ SEND logs:
// "Destination domain: ..."); else it stays unresolved here and `outbound_sessions_in` gives it the
// domains other sessions in the window carried mail for at the same remote address.
import { RULES } from '../rules.js';
import { literal, literalList, type Scope } from './sql-text.js';

const rules = RULES.sessions;

/**
 * An XEXCH50 whose acknowledgement never came: the session dropped after it, or the log ended
 * right after the 354 go-ahead with nothing more on that connection.
 */
const BLOCKED = `xexch50_sent AND (xexch50_outcome IN ${literalList(rules.xexch50BlockedOutcomes)}
  OR end_reason IN ${literalList(rules.xexch50BlockedEndReasons)}
  OR (xexch50_outcome IS NULL AND xexch50_reply_code = ${literal(rules.xexch50GoAheadCode)} AND end_reason IN ${literalList(rules.unfinishedEndReasons)}))`;

const destination = literal(rules.destinationDomainPattern);
// A literal part of the pattern: a cheap filter before the regular expression.
const marker = literal(rules.destinationDomainPattern.split('(')[0]);

export function outboundSessionsSelect(scope: Scope): string {
  return `WITH s AS (
    SELECT file_id, seq, session_key, server, start_time, end_time, remote_ip, remote_host, banner_code, greeting,
           ehlo_refused, masked_verbs, xexch50_advertised, xexch50_sent, xexch50_bytes, xexch50_reply_code,
           xexch50_outcome, end_reason, first_line_no, recipient_domains
      FROM smtp_sessions s WHERE direction = 'outbound' AND ${scope('s')}
  ),
  by_recipients AS (
    SELECT file_id, seq, domain, 'recipients' AS assigned_by FROM (
      SELECT file_id, seq, lower(trim(unnest(string_split(recipient_domains, ',')))) AS domain
        FROM s WHERE recipient_domains IS NOT NULL)
     WHERE domain <> ''
  ),
  bare AS (
    SELECT file_id, seq, session_key FROM s ANTI JOIN by_recipients USING (file_id, seq)
  ),
  by_destination AS (
    SELECT DISTINCT b.file_id, b.seq, lower(regexp_extract(l.argument, ${destination}, 1)) AS domain, 'destination-line' AS assigned_by
      FROM bare b JOIN smtp_lines l USING (file_id, session_key)
     WHERE ${scope('l')} AND l.direction = 'outbound' AND l.event = '*' AND contains(l.argument, ${marker})
       AND regexp_matches(l.argument, ${destination})
  ),
  unresolved AS (
    SELECT file_id, seq, NULL::VARCHAR AS domain, NULL::VARCHAR AS assigned_by FROM bare ANTI JOIN by_destination USING (file_id, seq)
  )
  SELECT s.* EXCLUDE (recipient_domains), a.domain, a.assigned_by, coalesce(${BLOCKED}, false) AS blocked
    FROM s JOIN (SELECT * FROM by_recipients UNION ALL SELECT * FROM by_destination UNION ALL SELECT * FROM unresolved) a USING (file_id, seq)`;
}

/** One row per XEXCH50 command (per domain of its session): from the protocol line (exact time, one per message), else from the session record alone. */
export function xexch50AttemptsSelect(scope: Scope): string {
  return `SELECT s.file_id, s.seq, s.start_time, s.remote_ip, s.domain, s.assigned_by, s.blocked,
         coalesce(epoch_ns(l.time) / 1e6, epoch_ns(s.start_time) / 1e6) AS time_ms,
         coalesce(nullif(regexp_extract(l.argument, '^\\s*([0-9]+)', 1), ''), CAST(s.xexch50_bytes AS VARCHAR)) AS bytes
    FROM outbound_sessions s
    LEFT JOIN (SELECT file_id, session_key, time, argument FROM smtp_lines l
                WHERE ${scope('l')} AND direction = 'outbound' AND verb = 'XEXCH50' AND time IS NOT NULL) l
      USING (file_id, session_key)
   WHERE ${scope('s')} AND (l.time IS NOT NULL OR s.xexch50_sent)`;
}

/** Resolves the unresolved rows of the window by remote address; `domain` stays null when nothing names one. */
const resolvedIn = (table: string) => `WITH s AS (
    SELECT * FROM ${table} WHERE (since IS NULL OR start_time >= since) AND (until IS NULL OR start_time < until)
  ),
  address_domains AS (
    SELECT DISTINCT o.remote_ip, o.domain FROM outbound_sessions o
     WHERE o.assigned_by = 'recipients' AND (since IS NULL OR o.start_time >= since) AND (until IS NULL OR o.start_time < until)
       AND o.remote_ip IN (SELECT u.remote_ip FROM outbound_sessions u
                            WHERE u.assigned_by IS NULL AND (since IS NULL OR u.start_time >= since) AND (until IS NULL OR u.start_time < until))
  )
  SELECT * FROM s WHERE assigned_by IS NOT NULL
  UNION ALL BY NAME
  SELECT u.* REPLACE (a.domain AS domain, CASE WHEN a.domain IS NOT NULL THEN 'remote-address' END AS assigned_by)
    FROM (SELECT * FROM s WHERE assigned_by IS NULL) u LEFT JOIN address_domains a USING (remote_ip)`;

export const SESSION_MACROS = [`CREATE OR REPLACE MACRO xexch50_attempts_in(since, until) AS TABLE ${resolvedIn('xexch50_attempts')}`];
