-- name: isa-denied-smtp
-- title: ISA firewall denials and killed connections on port 25
-- description: Firewall-log rows for SMTP (port 25) that were denied, failed, killed or closed abortively, per ISA host, source, destination, action and result code.
-- param: since TIMESTAMP optional Only rows at or after this time (host clock)
-- param: until TIMESTAMP optional Only rows before this time (host clock)
-- param: host VARCHAR optional Only this ISA host
-- Denied / Failed actions, and result codes whose meaning (isa-result-codes.json) says denied, killed, abortive, dropped,
-- refused or timed out: an SMTP filter cutting a session shows as an abortive close.
-- The matching rows are found at ingest: firewall_smtp_denials (src/analysis/derived/report-tables.ts).
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
  FROM firewall_smtp_denials
 WHERE ($since IS NULL OR time >= $since) AND ($until IS NULL OR time < $until)
   AND ($host IS NULL OR lower(isa_host) = lower($host))
 GROUP BY ALL
 ORDER BY connections DESC, isa_host, source_ip, dest_ip;
