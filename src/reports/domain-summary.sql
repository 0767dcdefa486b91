-- name: domain-summary
-- title: Mail per remote domain (pflogsumm style)
-- description: Per remote domain: recipients sent, delivered, deferred, NDR'd, still undelivered, delivery delay, XEXCH50 attempts and failures, matching firewall XEXCH50 events.
-- param: since TIMESTAMP optional Only evidence at or after this time (UTC)
-- param: until TIMESTAMP optional Only evidence before this time (UTC)
-- param: domain VARCHAR optional Only this remote domain
-- param: skew INTEGER optional Seconds of clock difference allowed when matching firewall events to XEXCH50 attempts (default and at most 300: the pairs found at ingest)
-- Counts are per (message, recipient) pair of message tracking, as `edgelog diagnose` counts them: sent = queued for
-- remote delivery (2003 1034) or received for sending (2007 RECEIVE); a domain is remote once any pair took an outbound step.
-- Pairs, sessions, XEXCH50 attempts and firewall candidates come from the derived tables (src/analysis/derived).
WITH mail AS (
  SELECT domain,
         count(*) FILTER (WHERE sent) AS sent,
         count(*) FILTER (WHERE delivered) AS delivered,
         count(*) FILTER (WHERE defers > 0) AS deferred,
         count(*) FILTER (WHERE ndr) AS ndr,
         count(*) FILTER (WHERE sent AND NOT delivered AND NOT ndr) AS undelivered,
         round(avg(epoch(delivered_time) - epoch(first_time)) FILTER (WHERE delivered), 1) AS avg_delay_s,
         round(max(epoch(delivered_time) - epoch(first_time)) FILTER (WHERE delivered), 1) AS max_delay_s
    FROM mail_pairs_in($since, $until)
   WHERE ($domain IS NULL OR domain = lower($domain))
   GROUP BY domain HAVING bool_or(remote)
),
xexch50 AS (
  SELECT domain, count(*) AS xexch50_attempts FROM xexch50_attempts
   WHERE assigned_by = 'recipients' AND ($since IS NULL OR start_time >= $since) AND ($until IS NULL OR start_time < $until)
   GROUP BY domain
),
xexch50_failed AS (
  -- One failure per session: the session ends where the blob is cut (or its log file ends after the 354).
  SELECT domain, count(*) AS xexch50_failures FROM outbound_sessions
   WHERE assigned_by = 'recipients' AND blocked AND ($since IS NULL OR start_time >= $since) AND ($until IS NULL OR start_time < $until)
   GROUP BY domain
),
-- Firewall events paired with blocked attempts of the same byte count within the skew (a prefix when
-- the event's Data was cut): the candidates found at ingest. The host's clock offset is the median
-- difference of its candidates (to the millisecond); each event goes to its candidate closest to
-- that offset, within 5 s (diagnose's tolerance).
candidates AS (
  SELECT * FROM xexch50_candidates
   WHERE abs(diff_ms) <= (coalesce($skew, 300) + 5) * 1000
     AND ($since IS NULL OR time_created >= $since) AND ($until IS NULL OR time_created < $until)
     AND ($since IS NULL OR attempt_start >= $since) AND ($until IS NULL OR attempt_start < $until)
),
histogram AS (
  SELECT host, round(diff_ms) AS diff, count(*) AS n FROM candidates GROUP BY ALL
),
host_offset AS (
  SELECT host, (min(diff) FILTER (WHERE below >= (total + 1) // 2) + min(diff) FILTER (WHERE below >= total // 2 + 1)) / 2 AS offset_ms
    FROM (SELECT host, diff, sum(n) OVER (PARTITION BY host ORDER BY diff) AS below, sum(n) OVER (PARTITION BY host) AS total FROM histogram)
   GROUP BY host
),
near AS (
  SELECT c.domain, c.event_key, c.event_candidates, abs(c.diff_ms - h.offset_ms) AS gap
    FROM candidates c JOIN host_offset h USING (host)
   WHERE abs(c.diff_ms - h.offset_ms) <= 5000
),
firewall_matches AS (
  -- Only events with several candidates need choosing.
  SELECT domain FROM near WHERE event_candidates = 1
  UNION ALL
  SELECT domain FROM near WHERE event_candidates > 1
  QUALIFY row_number() OVER (PARTITION BY event_key ORDER BY gap, domain) = 1
),
firewall AS (
  SELECT domain, count(*) AS firewall_xexch50_events FROM firewall_matches GROUP BY domain
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
