-- name: smtp-errors
-- title: SMTP error replies by remote host
-- description: 4xx/5xx replies in the SMTP protocol logs per direction, remote address and reply code, with the command they answered, counts and an example reply.
-- param: since TIMESTAMP optional Only lines at or after this time (UTC)
-- param: until TIMESTAMP optional Only lines before this time (UTC)
-- param: direction VARCHAR optional Only inbound or outbound
-- The command a reply answers is the latest command line of its session up to the reply (IIS inbound rows carry both).
-- Error replies and the command each answers come from smtp_error_replies (src/analysis/derived/report-tables.ts).
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
  FROM smtp_error_replies
 WHERE ($since IS NULL OR time >= $since) AND ($until IS NULL OR time < $until)
   AND ($direction IS NULL OR direction = $direction)
 GROUP BY direction, remote_ip, reply_code, command
 ORDER BY replies DESC, direction, remote_ip, reply_code, command;
