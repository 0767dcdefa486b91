-- name: smtp-errors
-- title: SMTP error replies by remote host
-- description: 4xx/5xx replies in the SMTP protocol logs per direction, remote address and reply code, with the command they answered, counts and an example reply.
-- param: since TIMESTAMP optional Only lines at or after this time (UTC)
-- param: until TIMESTAMP optional Only lines before this time (UTC)
-- param: direction VARCHAR optional Only inbound or outbound
WITH l AS (
  SELECT *,
         -- The command a reply answers is the latest command line of its session (IIS inbound rows carry both).
         coalesce(verb, last_value(verb IGNORE NULLS) OVER (
           PARTITION BY file_id, session_key ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS command
    FROM smtp_lines
   WHERE ($since IS NULL OR time >= $since) AND ($until IS NULL OR time < $until)
     AND ($direction IS NULL OR direction = $direction)
)
SELECT direction,
       remote_ip,
       max(remote_host) AS remote_host,
       reply_code,
       command,
       count(*) AS replies,
       count(DISTINCT session_key) AS sessions,
       min(reply_text) AS example_reply,
       min(time) AS first,
       max(time) AS last
  FROM l
 WHERE reply_code >= 400
 GROUP BY direction, remote_ip, reply_code, command
 ORDER BY replies DESC, direction, remote_ip, reply_code, command;
