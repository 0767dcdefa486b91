-- name: queue-retry
-- title: Queues in Retry, from queue exports
-- description: Per server and queue (next-hop domain): snapshots seen, how many in Retry, first and last Retry, peak and latest message count, oldest message and last error.
-- param: since TIMESTAMP optional Only snapshots at or after this time (UTC)
-- param: until TIMESTAMP optional Only snapshots before this time (UTC)
-- param: domain VARCHAR optional Only this next-hop domain
-- Sums per export file come from queue_stats (src/analysis/derived). The latest snapshot is the one with the newest snapshot_time (from the export's file name); exports named without a time have none and are ordered by ingest (the last file loaded is the latest).
WITH q AS (
  SELECT * FROM queue_stats_in($since, $until) WHERE ($domain IS NULL OR domain = lower($domain))
)
SELECT server,
       domain,
       sum(snapshots)::BIGINT AS snapshots,
       sum(retry)::BIGINT AS retry_snapshots,
       min(first_retry) AS first_retry,
       max(last_retry) AS last_retry,
       max(peak_messages) AS peak_messages,
       arg_max_null(latest, recency).state AS latest_state,
       arg_max_null(latest, recency).message_count AS latest_messages,
       min(oldest_message) AS oldest_message,
       arg_max_null(latest, recency).last_error AS latest_error
  FROM q
 GROUP BY server, domain
HAVING sum(retry) > 0 OR $domain IS NOT NULL
 ORDER BY retry_snapshots DESC, server NULLS FIRST, domain;
