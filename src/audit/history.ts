// Reading and writing the audit history tables. The previous run's problems feed the comparison;
// a finished run is written with its findings in the caller's transaction.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Confidence, Verdict } from '../analysis/findings.js';
import { jsonSafe } from '../render/findings-json.js';
import { runSql } from '../store/sql.js';
import type { AuditFinding, PreviousProblem } from './compare.js';

export interface PreviousRun {
  runId: number;
  startedAt: string;
  diagnosisKey: string;
  diagnosis: string;
  problems: PreviousProblem[];
}

export async function previousRun(connection: DuckDBConnection): Promise<PreviousRun | null> {
  const runs = (
    await runSql(connection, `SELECT run_id, strftime(started_at, '%Y-%m-%dT%H:%M:%SZ') AS started_at, diagnosis_key, diagnosis
       FROM audit_runs ORDER BY run_id DESC LIMIT 1`)
  ).rows;
  if (runs.length === 0) return null;
  const run = runs[0];
  const problems = (
    await runSql(
      connection,
      `SELECT domain, verdict, first_reported FROM audit_findings
       WHERE run_id = $run AND status IN ('new', 'ongoing') ORDER BY domain, verdict`,
      { run: Number(run.run_id) },
    )
  ).rows;
  return {
    runId: Number(run.run_id),
    startedAt: String(run.started_at),
    diagnosisKey: String(run.diagnosis_key),
    diagnosis: String(run.diagnosis),
    problems: problems.map((p) => ({
      domain: String(p.domain),
      verdict: p.verdict as Verdict,
      first_reported: String(p.first_reported),
    })),
  };
}

export async function nextRunId(connection: DuckDBConnection): Promise<number> {
  const rows = (await runSql(connection, 'SELECT coalesce(max(run_id), 0) + 1 AS id FROM audit_runs')).rows;
  return Number(rows[0].id);
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
  diagnosis: string;
  findings: AuditFinding[];
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
      run.diagnosis,
    ],
  );
  const appender = await connection.createAppender('audit_findings');
  for (const f of run.findings) {
    appender.appendBigInt(BigInt(run.runId));
    appender.appendVarchar(f.domain);
    appender.appendVarchar(f.verdict);
    appender.appendVarchar(f.confidence);
    appendNullable(appender, f.status);
    appendNullable(appender, f.first_reported);
    appender.appendVarchar(f.summary);
    appender.appendVarchar(JSON.stringify(f.counts, jsonSafe));
    appender.appendVarchar(JSON.stringify(f.evidence, jsonSafe));
    appendNullable(appender, f.remediation);
    appendNullable(appender, f.first_seen);
    appendNullable(appender, f.last_seen);
    appender.endRow();
  }
  appender.closeSync();
}

function appendNullable(appender: { appendVarchar(v: string): void; appendNull(): void }, value: string | null): void {
  if (value === null) appender.appendNull();
  else appender.appendVarchar(value);
}
