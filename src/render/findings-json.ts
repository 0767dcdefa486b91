// findings.json: the machine-readable report. Stable keys; timestamps ISO 8601 UTC.
import type { AuditReport } from './model.js';

export const FINDINGS_JSON_VERSION = 1;

export function renderFindingsJson(report: AuditReport): string {
  const count = (status: string) => report.findings.filter((f) => f.status === status).length;
  const document = {
    format_version: FINDINGS_JSON_VERSION,
    run_id: report.runId,
    previous_run_id: report.previousRunId,
    started_at: report.startedAt,
    finished_at: report.finishedAt,
    database: report.db,
    config: report.configPath,
    window: report.window,
    fail_on: report.failOn,
    exit_code: report.exitCode,
    diagnosis_reused: report.diagnosisReused,
    totals: { new: count('new'), ongoing: count('ongoing'), resolved: count('resolved'), domains: new Set(report.findings.map((f) => f.domain)).size },
    inputs: report.folders,
    findings: report.findings.filter((f) => f.status !== null),
    domains: report.findings.filter((f) => f.status !== 'resolved'),
    no_longer_seen: report.noLongerSeen,
    ingest_problems: report.ingestProblems,
    retention: report.retention,
    notes: report.notes,
  };
  return `${JSON.stringify(document, jsonSafe, 2)}\n`;
}

/** JSON.stringify replacer: big integers (counts, ns times inside evidence) as decimal strings. */
export function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
