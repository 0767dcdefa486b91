-- name: ingest-health
-- title: Ingest health per file
-- description: Per ingested file: format, status, records stored and rejected, time span and problems found.
-- param: since TIMESTAMP optional Only files whose records end at or after this time
-- param: until TIMESTAMP optional Only files whose records start before this time
-- param: status VARCHAR optional Only files with this status (ok, partial, failed)
WITH problems AS (
  SELECT
    file_id,
    count(*) FILTER (WHERE severity = 'error') AS errors,
    count(*) FILTER (WHERE severity = 'warning') AS warnings,
    first(coalesce('line ' || line_no || ': ', 'offset ' || byte_offset || ': ', '') || message
          ORDER BY line_no NULLS LAST, byte_offset NULLS LAST) AS first_problem
  FROM ingest_issues
  GROUP BY file_id
)
SELECT
  f.file_id,
  f.path,
  f.format,
  f.status,
  f.records_stored AS records,
  f.records_rejected AS rejected,
  f.start_offset > 0 AS appended_tail,
  f.first_time,
  f.last_time,
  coalesce(p.errors, 0) AS errors,
  coalesce(p.warnings, 0) AS warnings,
  coalesce(p.first_problem, f.message) AS first_problem,
  f.time_rule
FROM ingest_files f
LEFT JOIN problems p USING (file_id)
WHERE ($since IS NULL OR f.last_time >= $since)
  AND ($until IS NULL OR f.first_time < $until)
  AND ($status IS NULL OR f.status = $status)
ORDER BY f.file_id;
