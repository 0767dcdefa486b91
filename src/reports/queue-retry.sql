-- name: queue-retry
-- title: Queues in Retry, from queue exports
-- description: Per server and queue (next-hop domain): snapshots seen, how many in Retry, first and last Retry, peak and latest message count, oldest message and last error.
-- param: since TIMESTAMP optional Only snapshots at or after this time (UTC)
-- param: until TIMESTAMP optional Only snapshots before this time (UTC)
-- param: domain VARCHAR optional Only this next-hop domain
-- The latest snapshot is the one with the newest snapshot_time (from the export's file name); exports named without a time have none and are ordered by ingest (the last file loaded is the latest).
WITH q AS (
  SELECT *, lower(trim(coalesce(next_hop_domain, link_name, queue_name))) AS domain,
         (coalesce(snapshot_time, '-infinity'::TIMESTAMP), file_id, seq) AS recency
    FROM queue_snapshots
   WHERE ($since IS NULL OR snapshot_time >= $since) AND ($until IS NULL OR snapshot_time < $until)
)
SELECT server,
       domain,
       count(*) AS snapshots,
       count(*) FILTER (WHERE lower(state) = 'retry') AS retry_snapshots,
       min(snapshot_time) FILTER (WHERE lower(state) = 'retry') AS first_retry,
       max(snapshot_time) FILTER (WHERE lower(state) = 'retry') AS last_retry,
       max(message_count) AS peak_messages,
       arg_max_null(state, recency) AS latest_state,
       arg_max_null(message_count, recency) AS latest_messages,
       min(oldest_message_time) AS oldest_message,
       arg_max_null(last_error, recency) AS latest_error
  FROM q
 WHERE ($domain IS NULL OR domain = lower($domain))
 GROUP BY server, domain
HAVING count(*) FILTER (WHERE lower(state) = 'retry') > 0 OR $domain IS NOT NULL
 ORDER BY retry_snapshots DESC, server NULLS FIRST, domain;
