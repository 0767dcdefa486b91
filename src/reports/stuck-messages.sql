-- name: stuck-messages
-- title: Messages still waiting for a remote domain
-- description: Recipients queued for a remote domain but neither delivered nor NDR'd at the end of the evidence, oldest first, with age, attempts and last status.
-- param: since TIMESTAMP optional Only evidence at or after this time (UTC)
-- param: until TIMESTAMP optional Only evidence before this time (UTC); ages are measured to it
-- param: domain VARCHAR optional Only this remote domain
-- param: min_age_minutes INTEGER optional Only recipients waiting at least this long (default 60)
-- param: limit INTEGER optional At most this many rows, oldest first (default 1000)
-- Ages run to the end of the evidence (the latest tracking row, or until), never to the wall clock.
-- Pairs come from mail_pairs_in (src/analysis/derived/mail.ts): one row per (message, recipient) over its tracking rows in the window.
WITH pairs AS (
  SELECT * FROM mail_pairs_in($since, $until)
),
evidence_end AS (
  SELECT coalesce($until, max(last_time)) AS now FROM pairs
),
remote_domains AS (
  SELECT domain FROM pairs GROUP BY domain HAVING bool_or(remote)
)
SELECT p.domain, p.message_id, p.recipient, p.sender, p.subject, p.first_time AS queued, p.last_time AS last_seen,
       round((epoch(e.now) - epoch(p.first_time)) / 3600.0, 2) AS age_hours,
       p.attempts::BIGINT AS attempts, p.defers::BIGINT AS deferrals, p.last_status
  FROM pairs p, evidence_end e
 WHERE p.sent AND NOT p.delivered AND NOT p.ndr
   AND p.domain IN (SELECT domain FROM remote_domains)
   AND ($domain IS NULL OR p.domain = lower($domain))
   AND epoch(e.now) - epoch(p.first_time) >= 60 * coalesce($min_age_minutes, 60)
 ORDER BY p.first_time, p.domain, p.message_id, p.recipient
 LIMIT coalesce($limit, 1000);
