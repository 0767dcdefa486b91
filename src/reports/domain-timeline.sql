-- name: domain-timeline
-- title: Chronological evidence for one remote domain
-- description: Everything the store holds about one remote domain in time order: tracking rows, outbound SMTP sessions, queue snapshots, firewall-log rows to its hosts and, with firewall_host, that host's SmtpEvt events.
-- param: domain VARCHAR The remote domain
-- param: since TIMESTAMP optional Only evidence at or after this time (UTC)
-- param: until TIMESTAMP optional Only evidence before this time (UTC)
-- param: firewall_host VARCHAR optional Also list the SmtpEvt events of this firewall host (its own clock)
-- param: limit INTEGER optional At most this many rows, oldest first (default 1000)
-- Firewall-log rows are those to port 25 of an address an outbound session for the domain used.
-- The domain's tracking rows are found through its spellings as logged (domain_spellings), its sessions in
-- outbound_sessions and their addresses in session_addresses (src/analysis/derived): no string function over
-- every row. Each source gives its earliest rows of the window first, so only those are formatted and sorted.
WITH addresses AS (
  SELECT DISTINCT remote_ip FROM session_addresses WHERE domain = lower($domain)
),
tracking_rows AS (
  SELECT time, server, event_kind, raw_event, recipient_status, dsn_code, message_id, recipient, file_id, line_no FROM tracking
   WHERE recipient_domain IN (SELECT spelling FROM domain_spellings WHERE domain = lower($domain))
     AND ($since IS NULL OR time >= $since) AND ($until IS NULL OR time < $until)
   ORDER BY time, file_id, line_no LIMIT coalesce($limit, 1000)
),
session_rows AS (
  SELECT start_time, server, end_reason, xexch50_sent, xexch50_bytes, xexch50_outcome, remote_ip, remote_host, session_key, file_id, first_line_no
    FROM outbound_sessions
   WHERE assigned_by = 'recipients' AND domain = lower($domain)
     AND ($since IS NULL OR start_time >= $since) AND ($until IS NULL OR start_time < $until)
   ORDER BY start_time, file_id, first_line_no LIMIT coalesce($limit, 1000)
),
queue_rows AS (
  SELECT * FROM queue_snapshots
   WHERE lower(trim(coalesce(next_hop_domain, link_name))) = lower($domain)
     AND ($since IS NULL OR snapshot_time >= $since) AND ($until IS NULL OR snapshot_time < $until)
   ORDER BY snapshot_time, file_id, line_no LIMIT coalesce($limit, 1000)
),
firewall_rows AS (
  SELECT time, isa_host, action, action_raw, result_code, source_ip, dest_ip, dest_port, file_id, line_no FROM firewall_log
   WHERE dest_port = 25 AND dest_ip IN (SELECT remote_ip FROM addresses)
     AND ($since IS NULL OR time >= $since) AND ($until IS NULL OR time < $until)
   ORDER BY time, file_id, line_no LIMIT coalesce($limit, 1000)
),
event_rows AS (
  SELECT * FROM smtp_filter_events
   WHERE $firewall_host IS NOT NULL AND lower(computer) = lower($firewall_host)
     AND ($since IS NULL OR time_created >= $since) AND ($until IS NULL OR time_created < $until)
   ORDER BY time_created, file_id, record_id LIMIT coalesce($limit, 1000)
),
timeline AS (
  SELECT time, 'tracking' AS source, server AS host, concat_ws(' ', event_kind, '(' || raw_event || ')') AS what,
         coalesce(recipient_status, dsn_code) AS status,
         concat_ws(' ', message_id, recipient) AS detail,
         file_id, line_no AS location
    FROM tracking_rows
  UNION ALL
  SELECT start_time, 'smtp-session', server, coalesce(end_reason, 'session'),
         CASE WHEN xexch50_sent THEN concat_ws(' ', 'XEXCH50', xexch50_bytes, xexch50_outcome) END,
         concat_ws(' ', remote_ip, remote_host, session_key),
         file_id, first_line_no
    FROM session_rows
  UNION ALL
  SELECT snapshot_time, 'queue', server, state, last_error,
         concat_ws(' ', message_count, 'message(s), oldest', oldest_message_time),
         file_id, line_no
    FROM queue_rows
  UNION ALL
  SELECT time, 'firewall-log', isa_host, coalesce(action, action_raw), result_code,
         concat(source_ip, ' -> ', dest_ip, ':', dest_port),
         file_id, line_no
    FROM firewall_rows
  UNION ALL
  SELECT time_created, 'firewall-event', computer, concat('SmtpEvt ', event_id), data,
         concat('record ', record_id),
         file_id, record_id
    FROM event_rows
)
SELECT time, source, host, what, status, detail, file_id, location
  FROM timeline
 ORDER BY time, source, file_id, location
 LIMIT coalesce($limit, 1000);
