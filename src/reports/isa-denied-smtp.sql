-- name: isa-denied-smtp
-- title: ISA firewall denials and killed connections on port 25
-- description: Firewall-log rows for SMTP (port 25) that were denied, failed, killed or closed abortively, per ISA host, source, destination, action and result code.
-- param: since TIMESTAMP optional Only rows at or after this time (host clock)
-- param: until TIMESTAMP optional Only rows before this time (host clock)
-- param: host VARCHAR optional Only this ISA host
-- Denied / Failed actions, and result codes whose meaning (isa-result-codes.json) says denied, killed, abortive, dropped,
-- refused or timed out: an SMTP filter cutting a session shows as an abortive close.
SELECT isa_host,
       source_ip,
       dest_ip,
       dest_port,
       coalesce(action, action_raw) AS action,
       result_code,
       max(result_meaning) AS result_meaning,
       max(rule) AS rule,
       count(*) AS connections,
       min(time) AS first,
       max(time) AS last
  FROM firewall_log
 WHERE (dest_port = 25 OR source_port = 25)
   AND ($since IS NULL OR time >= $since) AND ($until IS NULL OR time < $until)
   AND ($host IS NULL OR lower(isa_host) = lower($host))
   AND (lower(coalesce(action, action_raw, '')) IN ('denied', 'failed', 'blocked', 'denied connection', 'failed connection attempt')
        OR regexp_matches(coalesce(result_meaning, ''), 'DENIED|KILLED|ABORTIVE|DROPPED|refused|timed out'))
 GROUP BY ALL
 ORDER BY connections DESC, isa_host, source_ip, dest_ip;
