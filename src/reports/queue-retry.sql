-- name: queue-retry
-- title: Queues in Retry, from queue exports
-- description: Per server and queue (next-hop domain): snapshots seen, how many in Retry, first and last Retry, peak and latest message count, oldest message and last error.
-- param: since TIMESTAMP optional Only snapshots at or after this time (UTC)
-- param: until TIMESTAMP optional Only snapshots before this time (UTC)
-- param: domain VARCHAR optional Only this next-hop domain
-- The latest snapshot is the one with the newest snapshot_time (from the export's file name); exports named without a time have none and are ordered by ingest (the last file loaded is the latest).
WITH q AS (
  SELECT *, lower(trim(coalesce(next_hop_domain, link_name, queue_name))) AS domain,
         row_number() OVER (PARTITION BY server, lower(trim(coalesce(next_hop_domain, link_name, queue_name)))
                            ORDER BY snapshot_time DESC NULLS LAST, file_id DESC, seq DESC) AS newest
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
       max(state) FILTER (WHERE newest = 1) AS latest_state,
       max(message_count) FILTER (WHERE newest = 1) AS latest_messages,
       min(oldest_message_time) AS oldest_message,
       max(last_error) FILTER (WHERE newest = 1) AS latest_error
  FROM q
 WHERE ($domain IS NULL OR domain = lower($domain))
 GROUP BY server, domain
HAVING count(*) FILTER (WHERE lower(state) = 'retry') > 0 OR $domain IS NOT NULL
 ORDER BY retry_snapshots DESC, server NULLS FIRST, domain;
