-- name: ndr-by-domain
-- title: Non-delivery reports per remote domain, day and status code
-- description: Recipients NDR'd per remote domain, UTC day and enhanced status code, with the meaning of common codes and an example recipient.
-- param: since TIMESTAMP optional Only NDRs at or after this time (UTC)
-- param: until TIMESTAMP optional Only NDRs before this time (UTC)
-- param: domain VARCHAR optional Only this remote domain
-- param: limit INTEGER optional At most this many rows, oldest first (default 1000)
-- One row per NDR'd (message, recipient) pair, from mail_pairs_in (src/analysis/derived/mail.ts): its first NDR in the window.
WITH ndrs AS (
  SELECT domain, message_key, recipient, first_ndr_time AS time, first_ndr_code AS dsn_code
    FROM mail_pairs_in($since, $until)
   WHERE ndr AND ($domain IS NULL OR domain = lower($domain))
)
SELECT domain,
       CAST(time AS DATE) AS day,
       coalesce(dsn_code, '(none)') AS status_code,
       CASE
         WHEN dsn_code = '4.4.7' THEN 'expired in the queue'
         WHEN dsn_code = '5.4.0' THEN 'authoritative host not found (DNS)'
         WHEN dsn_code IN ('4.4.1', '4.4.2') THEN 'host not responding / connection dropped'
         WHEN dsn_code LIKE '5.1.%' THEN 'recipient rejected'
         ELSE NULL
       END AS meaning,
       count(*) AS recipients,
       count(DISTINCT message_key) AS messages,
       min(recipient) AS example_recipient,
       min(time) AS first,
       max(time) AS last
  FROM ndrs
 GROUP BY ALL
 ORDER BY day, domain, status_code
 LIMIT coalesce($limit, 1000);
