// Outbound sessions summed per file and remote domain (sessions no file-level rule gave a domain to
// are summed per remote address instead, and given domains at query time). Diagnose adds these few
// rows up instead of reading millions of sessions; with a time window the same sums are taken over
// the sessions inside it.
import { RULES } from '../rules.js';
import { literalList, type Scope } from './sql-text.js';

const rules = RULES.sessions;

/** Sums over outbound session rows `rows` (alias `s`, restricted by `scope`), per file, domain or unresolved address. */
export function sessionStatsSelect(rows: string, scope: Scope): string {
  return `SELECT s.file_id, s.domain, CASE WHEN s.assigned_by IS NULL THEN s.remote_ip END AS unresolved_ip,
         count(*)::INTEGER AS sessions,
         count(*) FILTER (WHERE banner_code BETWEEN 200 AND 299)::INTEGER AS connected,
         count(*) FILTER (WHERE banner_code IS NULL AND end_reason IN ${literalList(rules.noConnectionEndReasons)})::INTEGER AS no_connection,
         count(*) FILTER (WHERE xexch50_advertised)::INTEGER AS advertised,
         count(*) FILTER (WHERE blocked)::INTEGER AS blocked,
         count(*) FILTER (WHERE xexch50_sent AND CAST(xexch50_reply_code AS VARCHAR) IN ${literalList(RULES.replies.xexch50Harmless)})::INTEGER AS harmless,
         count(*) FILTER (WHERE ehlo_refused)::INTEGER AS ehlo_refused,
         count(*) FILTER (WHERE masked_verbs)::INTEGER AS masked,
         coalesce(sum(a.commands), 0)::INTEGER AS xexch50_attempts,
         epoch_ns(min(start_time)) AS first_ns,
         epoch_ns(max(coalesce(end_time, start_time))) AS last_ns,
         histogram(coalesce(end_reason, '(unknown)')) AS end_reasons,
         histogram(coalesce(xexch50_outcome, '(unknown)')) FILTER (WHERE xexch50_sent) AS xexch50_outcomes,
         -- Examples, most telling first: cut after XEXCH50, no banner, EHLO refused, any.
         [min_by(example, start_time, ${RULES.examples.perKind}) FILTER (WHERE blocked),
          min_by(example, start_time, ${RULES.examples.perKind}) FILTER (WHERE banner_code IS NULL),
          min_by(example, start_time, ${RULES.examples.perKind}) FILTER (WHERE ehlo_refused),
          min_by(example, start_time, ${RULES.examples.perKind})] AS examples
    FROM (SELECT *, {'start': epoch_ns(start_time), 'server': server, 'session_key': session_key,
                     'remote_ip': remote_ip, 'remote_host': remote_host, 'greeting': greeting,
                     'xexch50_bytes': xexch50_bytes, 'xexch50_outcome': xexch50_outcome,
                     'end_reason': end_reason, 'first_line_no': first_line_no} AS example
            FROM ${rows} s WHERE ${scope('s')}) s
    LEFT JOIN (SELECT file_id, seq, domain, count(*) AS commands FROM xexch50_attempts a WHERE ${scope('a')} GROUP BY ALL) a
      ON a.file_id = s.file_id AND a.seq = s.seq AND a.domain IS NOT DISTINCT FROM s.domain
   GROUP BY ALL`;
}

/** Remote addresses that sessions carried mail for, with those domains: how unresolved sessions get theirs. */
export function sessionAddressesSelect(rows: string, scope: Scope): string {
  return `SELECT DISTINCT file_id, remote_ip, domain FROM ${rows} s WHERE assigned_by = 'recipients' AND remote_ip IS NOT NULL AND ${scope('s')}`;
}

/**
 * RCPT replies per recipient domain, code and text, for outbound sessions (chosen by `sessionScope`).
 * An accepted recipient counts whatever the text said (often the address itself): its text is dropped.
 */
export function recipientRepliesSelect(sessionScope: Scope, recipientScope: Scope): string {
  return `SELECT r.file_id, lower(r.domain) AS domain, r.reply_code AS code,
         CASE WHEN r.reply_code < 400 THEN NULL ELSE r.reply_text END AS text, count(*)::INTEGER AS n
    FROM smtp_session_recipients r
    SEMI JOIN (SELECT file_id, seq FROM smtp_sessions s WHERE direction = 'outbound' AND ${sessionScope('s')}) s USING (file_id, seq)
   WHERE r.domain IS NOT NULL AND ${recipientScope('r')}
   GROUP BY ALL`;
}
