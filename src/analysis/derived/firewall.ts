// The firewall side. `smtp_filter_events`: SmtpEvt events with the verb and byte count read from
// their Binary data (`XEXCH50 1020`). `xexch50_candidates`: every pairing of a firewall XEXCH50
// event with a blocked outbound XEXCH50 attempt of the same byte count within the default skew
// (plus twice the tolerance, the furthest a pair can lie from a host offset inside the skew).
// Attribution (attribution.ts) reads the candidates instead of matching millions of rows at query
// time. A candidate row is recomputed with its event: an event gains candidates when its own file
// or an attempt's file arrives, and its candidate count tells attribution whether it is ambiguous.
import { RULES } from '../rules.js';
import { inWindow, type Window } from '../sql.js';
import { literal, type Scope } from './sql-text.js';

const rules = RULES.firewallEvent;
const pattern = literal(rules.dataPattern);

export function smtpFilterEventsSelect(scope: Scope): string {
  return `SELECT file_id, seq, coalesce(computer, '(unknown host)') AS host, computer, event_id, record_id, time_created,
         epoch_ns(time_created) / 1e6 AS time_ms, data, message,
         nullif(regexp_extract(data, ${pattern}, 1), '') AS verb,
         nullif(regexp_extract(data, ${pattern}, 2), '') AS bytes,
         -- Data cut at the documented length may have lost digits of the count (log-formats.md §1).
         nullif(regexp_extract(data, ${pattern}, 3), '') IS NULL AND length(data) = ${literal(rules.dataTruncatedAtBytes)} AS truncated
    FROM (SELECT file_id, seq, computer, event_id, record_id, time_created, message, trim(binary_text) AS data
            FROM events e WHERE lower(provider) = lower(${literal(rules.provider)}) AND ${scope('e')})`;
}

/** XEXCH50 events of the firewall rule: the only ones that can be KB 818222 evidence. */
export const XEXCH50_EVENTS = `event_id = ${literal(rules.eventId)} AND time_created IS NOT NULL
  AND starts_with(upper(data), ${literal(`${rules.xexch50Verb.toUpperCase()} `)}) AND bytes IS NOT NULL`;

/** Furthest a matched pair can lie apart (ms) when the host offset is searched within `skewSeconds`. */
export function candidateBoundMs(skewSeconds: number): number {
  return (skewSeconds + 2 * RULES.attribution.toleranceSeconds) * 1000;
}

export const PRECOMPUTED_SKEW_SECONDS = RULES.attribution.defaultSkewSeconds;

export const eventKey = (e: string): string => `hash(${e}.file_id, ${e}.seq)`;

/**
 * Pairs (event, attempt) of equal byte count (a prefix when the event's Data was cut) within
 * `boundMs`, joined on time buckets as wide as the bound (an event's bucket and both neighbours).
 */
export function candidatesSelect(eventScope: Scope, attemptScope: Scope, boundMs: number): string {
  return `WITH e AS (
    SELECT *, unnest([bucket - 1, bucket, bucket + 1]) AS near FROM (
      SELECT ${eventKey('e')} AS event_key, file_id, seq, host, record_id, time_created, time_ms, bytes, truncated,
             floor(time_ms / ${boundMs}) AS bucket
        FROM smtp_filter_events e WHERE ${XEXCH50_EVENTS} AND ${eventScope('e')})
  ),
  a AS (
    SELECT file_id, seq, start_time, domain, time_ms, CAST(TRY_CAST(bytes AS INTEGER) AS VARCHAR) AS bytes, floor(time_ms / ${boundMs}) AS bucket
      FROM xexch50_attempts a
     WHERE blocked AND domain IS NOT NULL AND time_ms IS NOT NULL AND TRY_CAST(bytes AS INTEGER) IS NOT NULL AND ${attemptScope('a')}
  )
  SELECT e.event_key, e.host, e.file_id AS event_file_id, e.seq AS event_seq, CAST(e.record_id AS DOUBLE) AS record_id, e.time_created, e.time_ms AS event_time_ms,
         e.bytes AS event_bytes, a.file_id AS attempt_file_id, a.seq AS attempt_seq, a.start_time AS attempt_start,
         a.time_ms AS attempt_time_ms, a.bytes::INTEGER AS attempt_bytes, a.domain, e.time_ms - a.time_ms AS diff_ms,
         count(*) OVER (PARTITION BY e.event_key) AS event_candidates
    FROM e JOIN a ON a.bucket = e.near
   WHERE abs(e.time_ms - a.time_ms) <= ${boundMs}
     AND (a.bytes = e.bytes OR (e.truncated AND starts_with(a.bytes, e.bytes)))`;
}

/** Key of the histogram bin of candidate `c`: its host, domain and difference to the millisecond. */
export const candidateBinKey = (c: string): string => `hash(${c}.host, ${c}.domain, round(${c}.diff_ms))`;

/**
 * Candidates binned per host, domain and difference (ms), from candidate rows `rows` (alias `c`):
 * the host offset is searched on these bins. An event's only candidate is summed (count, first and
 * last event time, earliest few as examples); the candidates of events with several are kept
 * whole, for attribution to choose among.
 */
export function candidateBinsSelect(rows: string, scope: Scope): string {
  const sole = 'event_candidates = 1';
  return `SELECT ${candidateBinKey('c')} AS bin_key, host, domain, round(diff_ms) AS diff, count(*) AS candidates,
         count(*) FILTER (WHERE ${sole}) AS sole,
         min(event_time_ms) FILTER (WHERE ${sole}) AS first_ms,
         max(event_time_ms) FILTER (WHERE ${sole}) AS last_ms,
         min_by({'time': event_time_ms, 'recordId': record_id, 'bytesText': event_bytes, 'attemptTime': attempt_time_ms, 'attemptBytes': attempt_bytes},
                (event_time_ms, event_key), ${RULES.examples.perKind}) FILTER (WHERE ${sole}) AS examples,
         list({'event_key': event_key, 'diff_ms': diff_ms, 'recordId': record_id, 'time': event_time_ms, 'bytesText': event_bytes,
               'attemptTime': attempt_time_ms, 'attemptBytes': attempt_bytes}) FILTER (WHERE NOT ${sole}) AS ambiguous
    FROM ${rows} c WHERE ${scope('c')}
   GROUP BY host, domain, diff`;
}

/**
 * SmtpEvt firewall-rule events counted per file, host and verb: whether they are XEXCH50 evidence,
 * and, for the others, whether anything says they are the rule's event (without Data only the
 * description can: log-formats.md §8.3).
 */
export function smtpFilterCountsSelect(scope: Scope): string {
  return `SELECT file_id, host, coalesce(${XEXCH50_EVENTS}, false) AS xexch50, upper(verb) AS verb,
         (data IS NOT NULL OR message IS NULL OR contains(lower(message), ${literal(rules.descriptionPattern.toLowerCase())})) AS described,
         count(*)::INTEGER AS events
    FROM smtp_filter_events e WHERE event_id = ${literal(rules.eventId)} AND time_created IS NOT NULL AND ${scope('e')}
   GROUP BY ALL`;
}

/** The counts of the window: kept in the store for all time, counted now for a window. */
export function smtpFilterCountsIn(window: Window): string {
  return window.since === null && window.until === null ? 'smtp_filter_counts' : `(${smtpFilterCountsSelect((e) => inWindow(`${e}.time_created`))})`;
}

/** Firewall-log rows for SMTP per file: whether the firewall's own log saw the mail traffic at all. */
export function firewallSmtpRowsSelect(scope: Scope): string {
  return `SELECT file_id, count(*)::INTEGER AS rows FROM firewall_log f WHERE dest_port = ${literal(RULES.attribution.smtpPort)} AND ${scope('f')} GROUP BY file_id`;
}

export function firewallSmtpRowsIn(window: Window): string {
  return window.since === null && window.until === null ? 'firewall_smtp_rows' : `(${firewallSmtpRowsSelect((f) => inWindow(`${f}.time`))})`;
}
