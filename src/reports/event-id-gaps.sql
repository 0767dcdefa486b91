-- name: event-id-gaps
-- title: Missing event record numbers per log
-- description: Ranges of EventRecordID missing between consecutive records of one computer's log (cleared, overwritten or lost records), with the times around each gap.
-- param: since TIMESTAMP optional Only gaps after this time (UTC)
-- param: until TIMESTAMP optional Only gaps before this time (UTC)
-- param: computer VARCHAR optional Only this computer
-- Records loaded twice (overlapping exports of one log) count once; recovered (carved) records fill gaps like any other.
-- Gaps lie between the runs of consecutive record numbers kept in event_log_ranges (src/analysis/derived/report-tables.ts).
WITH steps AS (
  SELECT computer, channel, last_id AS record_id, last_time AS time_created,
         lead(first_id) OVER w AS next_id,
         lead(first_time) OVER w AS next_time
    FROM event_log_ranges
   WHERE ($computer IS NULL OR lower(computer) = lower($computer))
  WINDOW w AS (PARTITION BY computer, channel ORDER BY first_id)
)
SELECT computer,
       channel,
       record_id + 1 AS first_missing,
       next_id - 1 AS last_missing,
       next_id - record_id - 1 AS missing,
       time_created AS before_gap,
       next_time AS after_gap
  FROM steps
 WHERE next_id > record_id + 1
   AND ($since IS NULL OR next_time >= $since) AND ($until IS NULL OR time_created < $until)
 ORDER BY computer, channel, first_missing;
