// Reading and writing the audit history tables. The previous run's problems feed the comparison;
// a finished run is written with its findings in the caller's transaction.
import { createHash } from 'node:crypto';
import { LIST, VARCHAR, listValue, type DuckDBConnection } from '@duckdb/node-api';
import type { Confidence, DomainCounts, Finding, Verdict } from '../analysis/findings.js';
import { jsonSafe } from '../render/findings-json.js';
import { runSql } from '../store/sql.js';
import type { AuditFinding, PreviousProblem } from './compare.js';

export interface PreviousRun {
  runId: number;
  startedAt: string;
  diagnosisKey: string;
  problems: PreviousProblem[];
}

export async function previousRun(connection: DuckDBConnection): Promise<PreviousRun | null> {
  const runs = (
    await runSql(connection, `SELECT run_id, strftime(started_at, '%Y-%m-%dT%H:%M:%SZ') AS started_at, diagnosis_key
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
    problems: problems.map((p) => ({
      domain: String(p.domain),
      verdict: p.verdict as Verdict,
      first_reported: String(p.first_reported),
    })),
  };
}

/** The diagnosis a run stored: its findings as diagnosed (not the derived resolved rows) and notes. */
export async function storedDiagnosis(connection: DuckDBConnection, runId: number): Promise<{ findings: Finding[]; notes: string[] }> {
  const rows = (
    await runSql(
      connection,
      `SELECT f.domain, f.verdict, f.confidence, f.summary, f.counts, e.evidence, f.remediation, f.first_seen, f.last_seen
         FROM audit_findings f JOIN audit_evidence e ON e.digest = f.evidence_digest
        WHERE f.run_id = $run AND (f.status IS NULL OR f.status <> 'resolved') ORDER BY f.domain, f.verdict`,
      { run: runId },
    )
  ).rows;
  const notes = (await runSql(connection, 'SELECT notes FROM audit_runs WHERE run_id = $run', { run: runId })).rows;
  return {
    findings: rows.map((r) => ({
      domain: String(r.domain),
      verdict: r.verdict as Verdict,
      confidence: r.confidence as Confidence,
      summary: String(r.summary),
      counts: JSON.parse(String(r.counts)) as DomainCounts,
      evidence: JSON.parse(String(r.evidence)) as Record<string, unknown>,
      remediation: r.remediation === null ? null : String(r.remediation),
      first_seen: r.first_seen === null ? null : String(r.first_seen),
      last_seen: r.last_seen === null ? null : String(r.last_seen),
    })),
    notes: JSON.parse(String(notes[0]?.notes ?? '[]')) as string[],
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
  /** The diagnosis notes (kept for reuse). */
  notes: string[];
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
}

function appendNullable(appender: { appendVarchar(v: string): void; appendNull(): void }, value: string | null): void {
  if (value === null) appender.appendNull();
  else appender.appendVarchar(value);
}
