-- name: domain-timeline
-- title: Chronological evidence for one remote domain
-- description: Everything the store holds about one remote domain in time order: tracking rows, outbound SMTP sessions, queue snapshots, firewall-log rows to its hosts and, with firewall_host, that host's SmtpEvt events.
-- param: domain VARCHAR The remote domain
-- param: since TIMESTAMP optional Only evidence at or after this time (UTC)
-- param: until TIMESTAMP optional Only evidence before this time (UTC)
-- param: firewall_host VARCHAR optional Also list the SmtpEvt events of this firewall host (its own clock)
-- param: limit INTEGER optional At most this many rows, oldest first (default 1000)
-- Firewall-log rows are those to port 25 of an address an outbound session for the domain used.
-- The domain's tracking rows are found through its spellings as logged (domain_spellings) and its sessions in
-- outbound_sessions (src/analysis/derived): no string function over every row.
WITH sessions AS (
  SELECT * FROM outbound_sessions WHERE assigned_by = 'recipients' AND domain = lower($domain)
),
addresses AS (
  SELECT DISTINCT remote_ip FROM sessions WHERE remote_ip IS NOT NULL
),
timeline AS (
  SELECT time, 'tracking' AS source, server AS host, concat_ws(' ', event_kind, '(' || raw_event || ')') AS what,
         coalesce(recipient_status, dsn_code) AS status,
         concat_ws(' ', message_id, recipient) AS detail,
         file_id, line_no AS location
    FROM tracking WHERE recipient_domain IN (SELECT spelling FROM domain_spellings WHERE domain = lower($domain))
  UNION ALL
  SELECT start_time, 'smtp-session', server, coalesce(end_reason, 'session'),
         CASE WHEN xexch50_sent THEN concat_ws(' ', 'XEXCH50', xexch50_bytes, xexch50_outcome) END,
         concat_ws(' ', remote_ip, remote_host, session_key),
         file_id, first_line_no
    FROM sessions
  UNION ALL
  SELECT snapshot_time, 'queue', server, state, last_error,
         concat_ws(' ', message_count, 'message(s), oldest', oldest_message_time),
         file_id, line_no
    FROM queue_snapshots WHERE lower(trim(coalesce(next_hop_domain, link_name))) = lower($domain)
  UNION ALL
  SELECT time, 'firewall-log', isa_host, coalesce(action, action_raw), result_code,
         concat(source_ip, ' -> ', dest_ip, ':', dest_port),
         file_id, line_no
    FROM firewall_log WHERE dest_port = 25 AND dest_ip IN (SELECT remote_ip FROM addresses)
  UNION ALL
  SELECT time_created, 'firewall-event', computer, concat('SmtpEvt ', event_id), data,
         concat('record ', record_id),
         file_id, record_id
    FROM smtp_filter_events
   WHERE $firewall_host IS NOT NULL AND lower(computer) = lower($firewall_host)
)
SELECT time, source, host, what, status, detail, file_id, location
  FROM timeline
 WHERE ($since IS NULL OR time >= $since) AND ($until IS NULL OR time < $until)
 ORDER BY time, source, file_id, location
 LIMIT coalesce($limit, 1000);
