-- name: event-id-gaps
-- title: Missing event record numbers per log
-- description: Ranges of EventRecordID missing between consecutive records of one computer's log (cleared, overwritten or lost records), with the times around each gap.
-- param: since TIMESTAMP optional Only gaps after this time (UTC)
-- param: until TIMESTAMP optional Only gaps before this time (UTC)
-- param: computer VARCHAR optional Only this computer
-- Records loaded twice (overlapping exports of one log) count once; recovered (carved) records fill gaps like any other.
WITH ids AS (
  SELECT computer, channel, record_id, min(time_created) AS time_created
    FROM events
   WHERE record_id IS NOT NULL
     AND ($computer IS NULL OR lower(computer) = lower($computer))
   GROUP BY ALL
),
steps AS (
  SELECT computer, channel, record_id, time_created,
         lead(record_id) OVER w AS next_id,
         lead(time_created) OVER w AS next_time
    FROM ids
  WINDOW w AS (PARTITION BY computer, channel ORDER BY record_id)
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
