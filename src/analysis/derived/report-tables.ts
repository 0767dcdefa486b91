// Derived tables read by the canned reports (src/reports/*.sql): the few rows a report needs, found
// once at ingest instead of by scanning and parsing millions of rows per run.
import type { Scope } from './sql-text.js';
import type { DerivedTable } from './table.js';

const logKey = (e: string): string => `hash(${e}.computer, ${e}.channel)`;

/** 4xx/5xx replies with the command they answer: the latest command line of the session up to the reply. */
function smtpErrorRepliesSelect(scope: Scope): string {
  return `WITH errors AS (
    SELECT file_id, seq, time, direction, session_key, remote_ip, remote_host, verb, reply_code, reply_text
      FROM smtp_lines e WHERE reply_code >= 400 AND ${scope('e')}
  ),
  commands AS (
    SELECT l.file_id, l.session_key, l.seq, l.verb
      FROM smtp_lines l SEMI JOIN (SELECT DISTINCT file_id, session_key FROM errors) e USING (file_id, session_key)
     WHERE l.verb IS NOT NULL AND ${scope('l')}
  )
  SELECT e.* EXCLUDE (verb), coalesce(e.verb, c.verb) AS command
    FROM errors e ASOF LEFT JOIN commands c ON e.file_id = c.file_id AND e.session_key = c.session_key AND e.seq >= c.seq`;
}

/** Every spelling of a recipient domain as logged, with its normalised form: finds a domain's rows through the raw column. */
function domainSpellingsSelect(scope: Scope): string {
  return `SELECT DISTINCT file_id, recipient_domain AS spelling, lower(trim(recipient_domain)) AS domain
    FROM tracking t WHERE recipient_domain IS NOT NULL AND ${scope('t')}`;
}

/** Firewall-log rows for SMTP (port 25) that were denied, failed, killed or closed abortively. */
function firewallSmtpDenialsSelect(scope: Scope): string {
  return `SELECT file_id, seq, time, isa_host, source_ip, dest_ip, dest_port, action, action_raw, result_code, result_meaning, rule
    FROM firewall_log f
   WHERE (dest_port = 25 OR source_port = 25) AND ${scope('f')}
     AND (lower(coalesce(action, action_raw, '')) IN ('denied', 'failed', 'blocked', 'denied connection', 'failed connection attempt')
          OR regexp_matches(coalesce(result_meaning, ''), 'DENIED|KILLED|ABORTIVE|DROPPED|refused|timed out'))`;
}

/**
 * Runs of consecutive EventRecordIDs per computer and log (records loaded twice count once), with
 * the time of each run's first and last record: gaps lie between runs. A log is recomputed whole
 * when a file adds records to it.
 */
function eventLogRangesSelect(scope: Scope): string {
  return `WITH ids AS (
    SELECT computer, channel, record_id, min(time_created) AS time_created
      FROM events e WHERE record_id IS NOT NULL AND ${scope('e')} GROUP BY ALL
  ),
  runs AS (
    SELECT *, record_id - row_number() OVER (PARTITION BY computer, channel ORDER BY record_id) AS run FROM ids
  )
  SELECT ${logKey('r')} AS log_key, computer, channel, min(record_id) AS first_id, max(record_id) AS last_id,
         arg_min(time_created, record_id) AS first_time, arg_max(time_created, record_id) AS last_time
    FROM runs r GROUP BY computer, channel, run`;
}

export const REPORT_TABLES: readonly DerivedTable[] = [
  { name: 'smtp_error_replies', refresh: 'file', select: smtpErrorRepliesSelect },
  { name: 'domain_spellings', refresh: 'file', select: domainSpellingsSelect },
  { name: 'firewall_smtp_denials', refresh: 'file', select: firewallSmtpDenialsSelect },
  {
    name: 'event_log_ranges',
    refresh: 'key',
    key: 'log_key',
    keyOf: logKey,
    touched: (files) => `SELECT DISTINCT ${logKey('e')} AS key FROM events e WHERE ${files('e')}`,
    select: eventLogRangesSelect,
  },
];
