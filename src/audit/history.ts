// Reading and writing the audit history tables. The previous run's problems feed the comparison;
// a finished run is written with its findings in the caller's transaction.
import { createHash } from 'node:crypto';
import { LIST, VARCHAR, listValue, type DuckDBConnection } from '@duckdb/node-api';
import type { Confidence, DomainCounts, Finding, Verdict } from '../analysis/findings.js';
import { jsonSafe } from '../render/findings-json.js';
import { runSql } from '../store/sql.js';
import type { AuditFinding, PreviousProblem } from './compare.js';
import { timelinesFromJson, timelinesToJson, type DomainTimeline } from './timeline.js';

export interface PreviousRun {
  runId: number;
  startedAt: string;
  diagnosisKey: string;
  problems: PreviousProblem[];
  /** Its diagnosis (the findings as diagnosed, not the derived resolved rows, and the notes): reused when the key is unchanged. */
  diagnosis: { findings: Finding[]; notes: string[] };
  /** The chart timelines stored for its diagnosis key; null when none are (runs of schema 2). */
  timelines: DomainTimeline[] | null;
}

/** The latest completed run, everything a re-run may reuse from it, in two queries. */
export async function previousRun(connection: DuckDBConnection): Promise<PreviousRun | null> {
  const runs = (
    await runSql(
      connection,
      `SELECT run_id, strftime(started_at, '%Y-%m-%dT%H:%M:%SZ') AS started_at, diagnosis_key, notes,
              (SELECT first(t.timelines) FROM audit_timelines t WHERE t.diagnosis_key = r.diagnosis_key) AS timelines
         FROM audit_runs r ORDER BY run_id DESC LIMIT 1`,
    )
  ).rows;
  if (runs.length === 0) return null;
  const run = runs[0];
  const rows = (
    await runSql(
      connection,
      `SELECT f.domain, f.verdict, f.confidence, f.status, f.first_reported, f.summary, f.counts, e.evidence, f.remediation,
              f.first_seen, f.last_seen
         FROM audit_findings f JOIN audit_evidence e ON e.digest = f.evidence_digest
        WHERE f.run_id = $run ORDER BY f.domain, f.verdict`,
      { run: Number(run.run_id) },
    )
  ).rows;
  const nullable = (value: unknown) => (value === null ? null : String(value));
  return {
    runId: Number(run.run_id),
    startedAt: String(run.started_at),
    diagnosisKey: String(run.diagnosis_key),
    problems: rows
      .filter((r) => r.status === 'new' || r.status === 'ongoing')
      .map((r) => ({ domain: String(r.domain), verdict: r.verdict as Verdict, first_reported: String(r.first_reported) })),
    diagnosis: {
      findings: rows
        .filter((r) => r.status !== 'resolved')
        .map((r) => ({
          domain: String(r.domain),
          verdict: r.verdict as Verdict,
          confidence: r.confidence as Confidence,
          summary: String(r.summary),
          counts: JSON.parse(String(r.counts)) as DomainCounts,
          evidence: JSON.parse(String(r.evidence)) as Record<string, unknown>,
          remediation: nullable(r.remediation),
          first_seen: nullable(r.first_seen),
          last_seen: nullable(r.last_seen),
        })),
      notes: JSON.parse(String(run.notes)) as string[],
    },
    timelines: run.timelines === null ? null : timelinesFromJson(String(run.timelines)),
  };
}

export interface RunRecord {
  runId: number;
  startedAt: string;
  finishedAt: string;
  windowSince: string | null;
  windowUntil: string | null;
  failOn: Confidence;
  exitCode: number;
  configPath: string | null;
  outDir: string;
  inputs: unknown;
  filesIngested: number;
  filesUnchanged: number;
  filesFailed: number;
  diagnosisKey: string;
  /** The diagnosis notes (kept for reuse). */
  notes: string[];
  findings: AuditFinding[];
  /** The chart timelines of this diagnosis, stored under its key unless already stored (reused). */
  timelines: DomainTimeline[] | null;
}

/** Inserts the run and its findings; the caller owns the transaction. */
export async function recordRun(connection: DuckDBConnection, run: RunRecord): Promise<void> {
  const count = (status: string) => run.findings.filter((f) => f.status === status).length;
  await connection.run(
    `INSERT INTO audit_runs VALUES ($1, $2::TIMESTAMP, $3::TIMESTAMP, $4::TIMESTAMP, $5::TIMESTAMP, $6, $7, $8, $9, $10,
       $11, $12, $13, $14, $15, $16, $17, $18)`,
    [
      run.runId,
      run.startedAt,
      run.finishedAt,
      run.windowSince,
      run.windowUntil,
      run.failOn,
      run.exitCode,
      run.configPath,
      run.outDir,
      JSON.stringify(run.inputs, jsonSafe),
      run.filesIngested,
      run.filesUnchanged,
      run.filesFailed,
      count('new'),
      count('ongoing'),
      count('resolved'),
      run.diagnosisKey,
      JSON.stringify(run.notes),
    ],
  );
  const rows = run.findings.map((finding) => {
    const evidence = JSON.stringify(finding.evidence, jsonSafe);
    return { finding, evidence, digest: createHash('sha256').update(evidence).digest('hex') };
  });
  const known = new Set(
    (
      await runSql(
        connection,
        'SELECT digest FROM audit_evidence WHERE list_contains($digests, digest)',
        { digests: listValue([...new Set(rows.map((r) => r.digest))]) },
        { digests: LIST(VARCHAR) },
      )
    ).rows.map((r) => String(r.digest)),
  );
  const evidenceAppender = await connection.createAppender('audit_evidence');
  for (const { evidence, digest } of rows) {
    if (known.has(digest)) continue;
    known.add(digest);
    evidenceAppender.appendVarchar(digest);
    evidenceAppender.appendVarchar(evidence);
    evidenceAppender.endRow();
  }
  evidenceAppender.closeSync();

  const appender = await connection.createAppender('audit_findings');
  for (const { finding: f, digest } of rows) {
    appender.appendBigInt(BigInt(run.runId));
    appender.appendVarchar(f.domain);
    appender.appendVarchar(f.verdict);
    appender.appendVarchar(f.confidence);
    appendNullable(appender, f.status);
    appendNullable(appender, f.first_reported);
    appender.appendVarchar(f.summary);
    appender.appendVarchar(JSON.stringify(f.counts, jsonSafe));
    appender.appendVarchar(digest);
    appendNullable(appender, f.remediation);
    appendNullable(appender, f.first_seen);
    appendNullable(appender, f.last_seen);
    appender.endRow();
  }
  appender.closeSync();

  if (run.timelines !== null) {
    await connection.run(
      `INSERT INTO audit_timelines SELECT $key, $timelines
        WHERE NOT EXISTS (SELECT 1 FROM audit_timelines WHERE diagnosis_key = $key)`,
      { key: run.diagnosisKey, timelines: timelinesToJson(run.timelines) },
    );
  }
}

function appendNullable(appender: { appendVarchar(v: string): void; appendNull(): void }, value: string | null): void {
  if (value === null) appender.appendNull();
  else appender.appendVarchar(value);
}
