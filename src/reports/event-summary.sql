-- name: event-summary
-- title: Windows events per channel, provider, event id and day
-- description: Counts of event-log records per channel, provider, EventID (with Qualifiers) and UTC day.
-- param: since TIMESTAMP optional Only events at or after this time (UTC)
-- param: until TIMESTAMP optional Only events before this time (UTC)
-- param: provider VARCHAR optional Only this provider (source), e.g. SmtpEvt
SELECT
  channel,
  provider,
  event_id,
  qualifiers,
  CAST(time_created AS DATE) AS day,
  count(*) AS events,
  min(time_created) AS first_seen,
  max(time_created) AS last_seen,
  count(DISTINCT computer) AS computers
FROM events
WHERE ($since IS NULL OR time_created >= $since)
  AND ($until IS NULL OR time_created < $until)
  AND ($provider IS NULL OR provider = $provider)
GROUP BY ALL
ORDER BY day, channel, provider, event_id;
