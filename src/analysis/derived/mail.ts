// Message tracking, one row per (message, recipient) pair with its state over all of its rows: a
// message's events span files (days, servers, an appended tail), so a pair is recomputed from every
// tracking row of its message whenever a file touches that message. Pairs are keyed on a 64-bit hash
// of (message id, lower-case recipient): grouping on the strings costs three times as much on
// millions of rows, and a collision among a few million pairs is vanishingly unlikely.
import { RULES } from '../rules.js';
import { literalList, type Scope } from './sql-text.js';

const kinds = RULES.tracking;
const isKind = (list: readonly string[]) => `event_kind IN ${literalList(list)}`;

/** Key of the message of tracking row `t`: the unit of recomputation. */
export const messageKey = (t: string): string => `hash(coalesce(${t}.message_id, ${t}.internal_id))`;
const pairKey = (t: string): string => `hash(coalesce(${t}.message_id, ${t}.internal_id), lower(trim(${t}.recipient)))`;

/** The month sums a pair counts in, kept with the pair so a refresh finds them without hashing every pair. */
const monthKey = (domain: string): string => `hash(${domain}, date_trunc('month', first_time))`;

/** Latest value by time; ties go to the row loaded last, so a rebuild and an incremental refresh agree. */
const latest = (value: string, condition: string) => `arg_max(${value}, (time, file_id, seq)) FILTER (WHERE ${condition} AND time IS NOT NULL)`;

export function mailPairsSelect(scope: Scope): string {
  // first_of_sender marks one pair per (message, sender domain): messages per sender domain are a sum of it.
  return `SELECT *, row_number() OVER (PARTITION BY message_key, sender_domain ORDER BY pair_key) = 1 AS first_of_sender,
         ${monthKey('domain')} AS domain_month_key, ${monthKey('sender_domain')} AS sender_month_key FROM (
  SELECT min(${messageKey('t')}) AS message_key,
       ${pairKey('t')} AS pair_key,
       lower(trim(min(recipient_domain))) AS domain,
       min(coalesce(message_id, internal_id)) AS message_id,
       lower(trim(min(recipient))) AS recipient,
       min(sender) AS sender,
       lower(trim(split_part(min(sender), '@', 2))) AS sender_domain,
       min(subject) AS subject,
       coalesce(bool_or(${isKind(kinds.remoteKinds)}), false) AS remote,
       coalesce(bool_or(${isKind(kinds.sentKinds)}), false) AS sent,
       coalesce(bool_or(${isKind(kinds.deliveredKinds)}), false) AS delivered,
       coalesce(bool_or(${isKind(kinds.ndrKinds)}), false) AS ndr,
       ${latest('dsn_code', isKind(kinds.ndrKinds))} AS ndr_code,
       min(time) FILTER (WHERE ${isKind(kinds.ndrKinds)}) AS first_ndr_time,
       arg_min(dsn_code, (time, file_id, seq)) FILTER (WHERE ${isKind(kinds.ndrKinds)} AND time IS NOT NULL) AS first_ndr_code,
       count(*) FILTER (WHERE ${isKind(kinds.deferKinds)})::INTEGER AS defers,
       count(*) FILTER (WHERE ${isKind(kinds.attemptKinds)})::INTEGER AS attempts,
       ${latest('coalesce(recipient_status, dsn_code)', '(recipient_status IS NOT NULL OR dsn_code IS NOT NULL)')} AS last_status,
       min(time) AS first_time,
       max(time) AS last_time,
       min(time) FILTER (WHERE ${isKind(kinds.deliveredKinds)}) AS delivered_time,
       bool_or(time IS NULL) AS timeless
  FROM tracking t
 WHERE recipient_domain IS NOT NULL AND recipient IS NOT NULL AND ${scope('t')}
 GROUP BY pair_key)`;
}

/**
 * The pairs as they stand on the tracking rows inside [since, until): pairs whose rows all lie
 * inside come from the table; pairs the window cuts (or with rows without a time) are recomputed
 * from their rows inside it. Without a window this is the table itself.
 */
export const MAIL_PAIRS_IN = `CREATE OR REPLACE MACRO mail_pairs_in(since, until) AS TABLE
  SELECT * FROM mail_pairs
   WHERE (since IS NULL OR first_time >= since) AND (until IS NULL OR last_time < until)
     AND NOT (timeless AND (since IS NOT NULL OR until IS NOT NULL))
  UNION ALL BY NAME
  ${mailPairsSelect(
    (t) => `${pairKey(t)} IN (
      SELECT pair_key FROM mail_pairs
       WHERE (since IS NOT NULL OR until IS NOT NULL)
         AND (timeless OR (first_time < since AND last_time >= since) OR (first_time < until AND last_time >= until)))
      AND (since IS NULL OR ${t}.time >= since) AND (until IS NULL OR ${t}.time < until)`,
  )}`;

const monthOf = (p: string) => `date_trunc('month', ${p}.first_time)`;

/**
 * Key of the (domain, month) sums a pair `p` counts in: the month its first row was logged. A month
 * keeps the sums few (diagnose reads them all) while a file recomputes only the months it touched.
 */
export const domainMonthKey = (p: string): string => `${p}.domain_month_key`;
export const senderMonthKey = (p: string): string => `${p}.sender_month_key`;

const example = `{'first_time': first_time, 'message_id': message_id, 'recipient': recipient,
  'status': CASE WHEN ndr THEN coalesce(ndr_code, last_status) ELSE last_status END}`;
const pending = 'sent AND NOT delivered AND NOT ndr';

/**
 * Pairs summed per remote domain and month (of their first row), over pairs `rows` (alias `p`).
 * Whether a waiting pair is stuck depends on "now", so the first times of the waiting pairs are
 * kept (few), with the earliest few of them and of the NDR'd pairs as examples.
 */
export function mailDomainMonthsSelect(rows: string, scope: Scope): string {
  return `SELECT ${domainMonthKey('p')} AS month_key, domain, ${monthOf('p')} AS month,
         bool_or(remote) AS remote,
         count(*) FILTER (WHERE sent)::INTEGER AS sent,
         count(*) FILTER (WHERE delivered)::INTEGER AS delivered,
         count(*) FILTER (WHERE ndr)::INTEGER AS ndr,
         count(*) FILTER (WHERE ${pending})::INTEGER AS undelivered,
         count(*) FILTER (WHERE defers > 0)::INTEGER AS deferred,
         count(*) FILTER (WHERE defers > 0 AND delivered)::INTEGER AS deferred_delivered,
         coalesce(sum(defers), 0)::INTEGER AS defer_events,
         coalesce(sum(attempts), 0)::INTEGER AS attempts,
         min(first_time) AS first_time,
         max(last_time) AS last_time,
         sum(epoch(delivered_time) - epoch(first_time)) FILTER (WHERE delivered) AS delivery_seconds,
         count(epoch(delivered_time) - epoch(first_time)) FILTER (WHERE delivered)::INTEGER AS timed_deliveries,
         max(epoch(delivered_time) - epoch(first_time)) FILTER (WHERE delivered) AS max_delivery_seconds,
         list(first_time ORDER BY first_time) FILTER (WHERE ${pending} AND first_time IS NOT NULL) AS pending_times,
         map_entries(histogram(coalesce(ndr_code, '(none)')) FILTER (WHERE ndr)) AS ndr_codes,
         map_entries(histogram(last_status) FILTER (WHERE ${pending} AND last_status IS NOT NULL)) AS pending_statuses,
         min_by(${example}, (first_time, message_id, recipient), ${RULES.examples.perKind}) FILTER (WHERE ndr) AS ndr_examples,
         min_by(${example}, (first_time, message_id, recipient), ${RULES.examples.perKind}) FILTER (WHERE ${pending} AND first_time IS NOT NULL) AS pending_examples
    FROM ${rows} p WHERE ${scope('p')}
   GROUP BY domain, month, month_key`;
}

/** Messages per sender domain and month: who sends mail to us. */
export function mailSenderMonthsSelect(scope: Scope): string {
  return `SELECT ${senderMonthKey('p')} AS month_key, sender_domain, ${monthOf('p')} AS month, count(*) FILTER (WHERE first_of_sender)::INTEGER AS messages
    FROM mail_pairs p WHERE ${scope('p')} GROUP BY sender_domain, month, month_key`;
}

/** Inbound SMTP sessions per file and sender domain (MAIL FROM): mail from a domain that may only ever send to us. */
export function inboundSenderSessionsSelect(scope: Scope): string {
  return `SELECT file_id, lower(trim(split_part(mail_from, '@', 2))) AS domain, count(DISTINCT session_key)::INTEGER AS sessions
    FROM smtp_sessions s WHERE direction = 'inbound' AND mail_from LIKE '%@%' AND ${scope('s')} GROUP BY ALL`;
}
