-- name: domain-summary
-- title: Mail per remote domain (pflogsumm style)
-- description: Per remote domain: recipients sent, delivered, deferred, NDR'd, still undelivered, delivery delay, XEXCH50 attempts and failures, matching firewall XEXCH50 events.
-- param: since TIMESTAMP optional Only evidence at or after this time (UTC)
-- param: until TIMESTAMP optional Only evidence before this time (UTC)
-- param: domain VARCHAR optional Only this remote domain
-- param: skew INTEGER optional Seconds of clock difference allowed when matching firewall events to XEXCH50 attempts (default 300)
-- Counts are per (message, recipient) pair of message tracking, as `edgelog diagnose` counts them: sent = queued for
-- remote delivery (2003 1034) or received for sending (2007 RECEIVE); a domain is remote once any pair took an outbound step.
WITH pairs AS (
  -- One row per (message, recipient), grouped on a 64-bit hash of the pair (as diagnose does).
  SELECT lower(trim(any_value(recipient_domain))) AS domain,
         bool_or(event_kind IN ('queued-remote', 'transfer-begin', 'sent', 'defer', 'ndr', 'failed')) AS remote,
         bool_or(event_kind IN ('queued-remote', 'received')) AS sent,
         bool_or(event_kind = 'sent') AS delivered,
         bool_or(event_kind IN ('ndr', 'failed')) AS ndr,
         count(*) FILTER (WHERE event_kind = 'defer') AS defers,
         min(time) AS first_time,
         min(time) FILTER (WHERE event_kind = 'sent') AS sent_time
    FROM tracking
   WHERE recipient_domain IS NOT NULL AND recipient IS NOT NULL
     AND ($since IS NULL OR time >= $since) AND ($until IS NULL OR time < $until)
     AND ($domain IS NULL OR lower(trim(recipient_domain)) = lower($domain))
   GROUP BY hash(coalesce(message_id, internal_id), lower(trim(recipient)))
),
mail AS (
  SELECT domain,
         count(*) FILTER (WHERE sent) AS sent,
         count(*) FILTER (WHERE delivered) AS delivered,
         count(*) FILTER (WHERE defers > 0) AS deferred,
         count(*) FILTER (WHERE ndr) AS ndr,
         count(*) FILTER (WHERE sent AND NOT delivered AND NOT ndr) AS undelivered,
         round(avg(epoch(sent_time) - epoch(first_time)) FILTER (WHERE delivered), 1) AS avg_delay_s,
         round(max(epoch(sent_time) - epoch(first_time)) FILTER (WHERE delivered), 1) AS max_delay_s
    FROM pairs GROUP BY domain HAVING bool_or(remote)
),
sessions AS (
  SELECT file_id, session_key, start_time, xexch50_sent, xexch50_outcome, xexch50_reply_code, end_reason, xexch50_bytes,
         lower(trim(unnest(string_split(recipient_domains, ',')))) AS domain
    FROM smtp_sessions
   WHERE direction = 'outbound' AND recipient_domains IS NOT NULL
     AND ($since IS NULL OR start_time >= $since) AND ($until IS NULL OR start_time < $until)
),
attempts AS (
  SELECT s.domain, coalesce(l.time, s.start_time) AS time,
         coalesce(nullif(regexp_extract(l.argument, '^\s*([0-9]+)', 1), ''), CAST(s.xexch50_bytes AS VARCHAR)) AS bytes,
         s.xexch50_outcome IN ('dropped-after-354', 'dropped') OR s.end_reason = 'dropped-after-xexch50'
           OR (s.xexch50_outcome IS NULL AND s.xexch50_reply_code = 354 AND s.end_reason = 'open') AS blocked
    FROM sessions s
    LEFT JOIN smtp_lines l
      ON l.file_id = s.file_id AND l.session_key = s.session_key AND l.direction = 'outbound' AND l.verb = 'XEXCH50'
   WHERE l.time IS NOT NULL OR s.xexch50_sent
),
xexch50 AS (
  SELECT domain, count(*) AS xexch50_attempts FROM attempts GROUP BY domain
),
xexch50_failed AS (
  -- One failure per session: the session ends where the blob is cut (or its log file ends after the 354).
  SELECT domain, count(*) AS xexch50_failures FROM sessions
   WHERE xexch50_sent AND (xexch50_outcome IN ('dropped-after-354', 'dropped') OR end_reason = 'dropped-after-xexch50'
                           OR (xexch50_outcome IS NULL AND xexch50_reply_code = 354 AND end_reason = 'open'))
   GROUP BY domain
),
-- Firewall events are paired with blocked attempts of the same byte count within the skew, on
-- time buckets as wide as the skew (an event's bucket and both neighbours), so the join stays an
-- equi-join. `XEXCH50 1020` cut at 12 bytes (KB 818222's dump) keeps only 4 digits: a prefix.
skew AS (
  SELECT coalesce($skew, 300) + 5 AS s
),
blocked_attempts AS (
  SELECT domain, epoch(time) AS t, bytes, left(bytes, 4) AS prefix, floor(epoch(time) / s) AS bucket
    FROM attempts, skew WHERE blocked
),
fw_events AS (
  SELECT computer, record_id, t, bytes, cut, unnest([bucket - 1, bucket, bucket + 1]) AS bucket
    FROM (SELECT computer, record_id, epoch(time_created) AS t, floor(epoch(time_created) / s) AS bucket,
                 regexp_extract(binary_text, '^XEXCH50 ([0-9]+)', 1) AS bytes,
                 length(binary_text) = 12 AS cut
            FROM events, skew
           WHERE provider = 'SmtpEvt' AND event_id = 20031 AND binary_text LIKE 'XEXCH50 %'
             AND ($since IS NULL OR time_created >= $since) AND ($until IS NULL OR time_created < $until))
),
candidates AS (
  SELECT a.domain, e.computer, e.record_id, e.t - a.t AS diff FROM fw_events e, skew
    JOIN blocked_attempts a ON a.bucket = e.bucket AND a.bytes = e.bytes
   WHERE abs(e.t - a.t) <= skew.s
  UNION
  SELECT a.domain, e.computer, e.record_id, e.t - a.t FROM fw_events e, skew
    JOIN blocked_attempts a ON a.bucket = e.bucket AND a.prefix = e.bytes
   WHERE e.cut AND abs(e.t - a.t) <= skew.s
),
-- The firewall host's clock offset: the median difference of its candidate pairs. Each event then
-- goes to the attempt closest to that offset, within 5 s (diagnose's tolerance).
host_offset AS (
  SELECT computer, median(diff) AS offset FROM candidates GROUP BY computer
),
firewall_matches AS (
  SELECT c.domain, abs(c.diff - h.offset) AS gap FROM candidates c JOIN host_offset h USING (computer)
  QUALIFY row_number() OVER (PARTITION BY c.computer, c.record_id ORDER BY abs(c.diff - h.offset), c.domain) = 1
),
firewall AS (
  SELECT domain, count(*) AS firewall_xexch50_events FROM firewall_matches WHERE gap <= 5 GROUP BY domain
)
SELECT domain,
       coalesce(m.sent, 0) AS sent,
       coalesce(m.delivered, 0) AS delivered,
       coalesce(m.deferred, 0) AS deferred,
       coalesce(m.ndr, 0) AS ndr,
       coalesce(m.undelivered, 0) AS undelivered,
       m.avg_delay_s,
       m.max_delay_s,
       coalesce(x.xexch50_attempts, 0) AS xexch50_attempts,
       coalesce(xf.xexch50_failures, 0) AS xexch50_failures,
       coalesce(f.firewall_xexch50_events, 0) AS firewall_xexch50_events
  FROM mail m
  FULL JOIN xexch50 x USING (domain)
  FULL JOIN xexch50_failed xf USING (domain)
  FULL JOIN firewall f USING (domain)
 WHERE ($domain IS NULL OR domain = lower($domain))
 ORDER BY undelivered DESC, ndr DESC, sent DESC, domain;
