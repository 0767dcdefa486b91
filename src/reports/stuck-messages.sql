-- name: stuck-messages
-- title: Messages still waiting for a remote domain
-- description: Recipients queued for a remote domain but neither delivered nor NDR'd at the end of the evidence, oldest first, with age, attempts and last status.
-- param: since TIMESTAMP optional Only evidence at or after this time (UTC)
-- param: until TIMESTAMP optional Only evidence before this time (UTC); ages are measured to it
-- param: domain VARCHAR optional Only this remote domain
-- param: min_age_minutes INTEGER optional Only recipients waiting at least this long (default 60)
-- Ages run to the end of the evidence (the latest tracking row, or until), never to the wall clock.
WITH rows AS (
  SELECT * FROM tracking
   WHERE recipient_domain IS NOT NULL AND recipient IS NOT NULL
     AND ($since IS NULL OR time >= $since) AND ($until IS NULL OR time < $until)
),
evidence_end AS (
  SELECT coalesce($until, max(time)) AS now FROM rows
),
pairs AS (
  -- One row per (message, recipient), grouped on a 64-bit hash of the pair (as diagnose does).
  SELECT lower(trim(any_value(recipient_domain))) AS domain,
         any_value(coalesce(message_id, internal_id)) AS message_id,
         lower(trim(any_value(recipient))) AS recipient,
         any_value(sender) AS sender,
         any_value(subject) AS subject,
         min(time) AS queued,
         max(time) AS last_seen,
         count(*) FILTER (WHERE event_kind = 'transfer-begin') AS attempts,
         count(*) FILTER (WHERE event_kind = 'defer') AS deferrals,
         arg_max(coalesce(recipient_status, dsn_code), time) FILTER (WHERE recipient_status IS NOT NULL OR dsn_code IS NOT NULL) AS last_status,
         bool_or(event_kind IN ('queued-remote', 'transfer-begin', 'sent', 'defer', 'ndr', 'failed')) AS remote,
         bool_or(event_kind IN ('queued-remote', 'received')) AS sent,
         bool_or(event_kind IN ('sent', 'ndr', 'failed')) AS finished
    FROM rows
   GROUP BY hash(coalesce(message_id, internal_id), lower(trim(recipient)))
),
remote_domains AS (
  SELECT domain FROM pairs GROUP BY domain HAVING bool_or(remote)
)
SELECT p.domain, p.message_id, p.recipient, p.sender, p.subject, p.queued, p.last_seen,
       round((epoch(e.now) - epoch(p.queued)) / 3600.0, 2) AS age_hours,
       p.attempts, p.deferrals, p.last_status
  FROM pairs p, evidence_end e
 WHERE p.sent AND NOT p.finished
   AND p.domain IN (SELECT domain FROM remote_domains)
   AND ($domain IS NULL OR p.domain = lower($domain))
   AND epoch(e.now) - epoch(p.queued) >= 60 * coalesce($min_age_minutes, 60)
 ORDER BY p.queued, p.domain, p.message_id, p.recipient;
