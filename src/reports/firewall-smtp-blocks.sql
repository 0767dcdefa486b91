-- name: firewall-smtp-blocks
-- title: ISA SMTP filter events (SmtpEvt) by host and verb
-- description: SmtpEvt events (20031 "An unknown SMTP command") per firewall host, event id and verb from the Binary data, with counts, byte counts seen and first/last time.
-- param: since TIMESTAMP optional Only events at or after this time (host clock)
-- param: until TIMESTAMP optional Only events before this time (host clock)
-- param: host VARCHAR optional Only this firewall host (computer name)
-- The verb is the first word of the Binary data (e.g. `XEXCH50 1020`); events exported without Data show `(no data)`.
-- SmtpEvt events with their verb and byte count come from smtp_filter_events (src/analysis/derived/firewall.ts).
WITH e AS (
  SELECT computer AS host, event_id, record_id, time_created, coalesce(verb, '(no data)') AS verb, bytes
    FROM smtp_filter_events
   WHERE ($since IS NULL OR time_created >= $since) AND ($until IS NULL OR time_created < $until)
     AND ($host IS NULL OR lower(computer) = lower($host))
)
SELECT host,
       event_id,
       verb,
       count(*) AS events,
       count(DISTINCT bytes) AS distinct_byte_counts,
       min(CAST(bytes AS BIGINT)) AS min_bytes,
       max(CAST(bytes AS BIGINT)) AS max_bytes,
       min(time_created) AS first,
       max(time_created) AS last,
       min(record_id) AS first_record_id,
       max(record_id) AS last_record_id
  FROM e
 GROUP BY ALL
 ORDER BY host, event_id, verb;
