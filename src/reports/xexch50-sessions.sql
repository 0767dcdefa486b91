-- name: xexch50-sessions
-- title: Outbound SMTP sessions that sent XEXCH50
-- description: Every outbound session that sent XEXCH50: when, to which host and domains, the byte count, the reply and how the session ended.
-- param: since TIMESTAMP optional Only sessions starting at or after this time (UTC)
-- param: until TIMESTAMP optional Only sessions starting before this time (UTC)
-- param: domain VARCHAR optional Only sessions carrying mail for this domain
-- param: outcome VARCHAR optional Only this XEXCH50 outcome (accepted, refused-504, refused, dropped-after-354, dropped)
-- param: limit INTEGER optional At most this many rows, oldest first (default 1000)
SELECT start_time,
       end_time,
       server,
       session_key,
       remote_ip,
       remote_host,
       recipient_domains,
       xexch50_advertised,
       xexch50_bytes,
       xexch50_reply_code,
       xexch50_reply_text,
       xexch50_outcome,
       end_reason,
       messages_accepted,
       first_line_no
  FROM smtp_sessions
 WHERE direction = 'outbound' AND xexch50_sent
   AND ($since IS NULL OR start_time >= $since) AND ($until IS NULL OR start_time < $until)
   AND ($domain IS NULL OR list_contains(string_split(lower(recipient_domains), ','), lower($domain)))
   AND ($outcome IS NULL OR xexch50_outcome = $outcome)
 ORDER BY start_time, server, session_key
 LIMIT coalesce($limit, 1000);
