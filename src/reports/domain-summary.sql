-- name: domain-summary
-- title: Mail per remote domain (pflogsumm style)
-- description: Per remote domain: recipients sent, delivered, deferred, NDR'd, still undelivered, delivery delay, XEXCH50 attempts and failures, matching firewall XEXCH50 events.
-- param: since TIMESTAMP optional Only evidence at or after this time (UTC)
-- param: until TIMESTAMP optional Only evidence before this time (UTC)
-- param: domain VARCHAR optional Only this remote domain
-- param: skew INTEGER optional Seconds of clock difference allowed when matching firewall events to XEXCH50 attempts (default and at most 300: the pairs found at ingest)
-- Counts are per (message, recipient) pair of message tracking, as `edgelog diagnose` counts them: sent = queued for
-- remote delivery (2003 1034) or received for sending (2007 RECEIVE); a domain is remote once any pair took an outbound step.
-- Sums kept per month, file and firewall-candidate bin (src/analysis/derived), or computed for the window.
WITH mail AS (
  SELECT domain,
         sum(sent)::BIGINT AS sent,
         sum(delivered)::BIGINT AS delivered,
         sum(deferred)::BIGINT AS deferred,
         sum(ndr)::BIGINT AS ndr,
         sum(undelivered)::BIGINT AS undelivered,
         round(sum(delivery_seconds) / sum(timed_deliveries), 1) AS avg_delay_s,
         round(max(max_delivery_seconds), 1) AS max_delay_s
    FROM mail_domain_months_in($since, $until)
   WHERE ($domain IS NULL OR domain = lower($domain))
   GROUP BY domain HAVING bool_or(remote)
),
xexch50 AS (
  -- One failure per session: the session ends where the blob is cut (or its log file ends after the 354).
  SELECT domain, sum(xexch50_attempts)::BIGINT AS xexch50_attempts, sum(blocked)::BIGINT AS xexch50_failures
    FROM session_domain_stats_in($since, $until)
   WHERE domain IS NOT NULL
   GROUP BY domain HAVING sum(xexch50_attempts) > 0 OR sum(blocked) > 0
),
-- Firewall events paired with blocked attempts of the same byte count within the skew (a prefix when
-- the event's Data was cut): the candidates found at ingest, binned by difference (ms). The host's
-- clock offset is the median difference of its candidates; each event goes to its candidate closest
-- to that offset, within 5 s (diagnose's tolerance).
bins AS (
  SELECT * FROM xexch50_candidate_bins_in($since, $until) WHERE abs(diff) <= (coalesce($skew, 300) + 5) * 1000
),
host_offset AS (
  SELECT host, (min(diff) FILTER (WHERE below >= (total + 1) // 2) + min(diff) FILTER (WHERE below >= total // 2 + 1)) / 2 AS offset_ms
    FROM (SELECT host, diff, sum(n) OVER (PARTITION BY host ORDER BY diff) AS below, sum(n) OVER (PARTITION BY host) AS total
            FROM (SELECT host, diff, sum(candidates) AS n FROM bins GROUP BY ALL))
   GROUP BY host
),
near AS (
  SELECT b.*, h.offset_ms FROM bins b JOIN host_offset h USING (host) WHERE abs(b.diff - h.offset_ms) <= 5000
),
firewall_matches AS (
  -- Events with one candidate are summed in its bin; the others choose.
  SELECT domain, sole AS events FROM near
  UNION ALL
  SELECT domain, 1 FROM (SELECT domain, offset_ms, unnest(ambiguous) AS x FROM near)
  QUALIFY row_number() OVER (PARTITION BY x.event_key ORDER BY abs(x.diff_ms - offset_ms), domain) = 1
),
firewall AS (
  SELECT domain, sum(events)::BIGINT AS firewall_xexch50_events FROM firewall_matches GROUP BY domain HAVING sum(events) > 0
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
       coalesce(x.xexch50_failures, 0) AS xexch50_failures,
       coalesce(f.firewall_xexch50_events, 0) AS firewall_xexch50_events
  FROM mail m
  FULL JOIN xexch50 x USING (domain)
  FULL JOIN firewall f USING (domain)
 WHERE ($domain IS NULL OR domain = lower($domain))
 ORDER BY undelivered DESC, ndr DESC, sent DESC, domain;
