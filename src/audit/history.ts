// Reading and writing the audit history tables. The previous run's problems feed the comparison;
// a finished run is written with its findings in the caller's transaction.
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Confidence, DomainCounts, Finding, Verdict } from '../analysis/findings.js';
import { jsonSafe } from '../render/findings-json.js';
import type { Row } from '../cli/output.js';
import { runSql } from '../store/sql.js';
import type { AuditFinding, PreviousProblem } from './compare.js';
import { timelinesFromJson, timelinesToJson, type DomainTimeline } from './timeline.js';

export interface PreviousRun {
  runId: number;
  problems: PreviousProblem[];
  /** What it diagnosed and charted, when that was under the diagnosis key asked for. */
  reusable: ReusableDiagnosis | null;
}

export interface ReusableDiagnosis {
  /** The findings as diagnosed (not the derived resolved rows). */
  findings: Finding[];
  notes: string[];
  /** The chart timelines stored under the key; null when none are (runs of schema 2). */
  timelines: DomainTimeline[] | null;
  /** Each finding's evidence object → its digest in audit_evidence: recorded again by reference. */
  evidenceDigests: WeakMap<object, string>;
}

/** The latest completed run; with its diagnosis and charts when they were made under `diagnosisKey`. */
export async function previousRun(connection: DuckDBConnection, diagnosisKey: string): Promise<PreviousRun | null> {
  const runs = (
    await runSql(
      connection,
      `SELECT r.run_id, r.diagnosis_key = $key AS reusable, r.notes, t.timelines
         FROM (SELECT run_id, diagnosis_key, notes FROM audit_runs ORDER BY run_id DESC LIMIT 1) r
         LEFT JOIN audit_timelines t ON r.diagnosis_key = $key AND t.diagnosis_key = $key`,
      { key: diagnosisKey },
    )
  ).rows;
  if (runs.length === 0) return null;
  const run = runs[0];
  const rows = (
    await runSql(
      connection,
      `SELECT f.domain, f.verdict, f.confidence, f.status, f.first_reported, f.summary, f.counts, f.evidence_digest, e.evidence,
              f.remediation, f.first_seen, f.last_seen
         FROM audit_findings f JOIN audit_evidence e ON e.digest = f.evidence_digest
        WHERE f.run_id = $run ORDER BY f.domain, f.verdict`,
      { run: Number(run.run_id) },
    )
  ).rows;
  return {
    runId: Number(run.run_id),
    problems: rows
      .filter((r) => r.status === 'new' || r.status === 'ongoing')
      .map((r) => ({ domain: String(r.domain), verdict: r.verdict as Verdict, first_reported: String(r.first_reported) })),
    reusable: run.reusable === true ? storedDiagnosis(rows, run) : null,
  };
}

function storedDiagnosis(rows: Row[], run: Row): ReusableDiagnosis {
  const nullable = (value: unknown) => (value === null ? null : String(value));
  const evidenceDigests = new WeakMap<object, string>();
  const findings = rows
    .filter((r) => r.status !== 'resolved')
    .map((r): Finding => {
      const evidence = JSON.parse(String(r.evidence)) as Record<string, unknown>;
      evidenceDigests.set(evidence, String(r.evidence_digest));
      return {
        domain: String(r.domain),
        verdict: r.verdict as Verdict,
        confidence: r.confidence as Confidence,
        summary: String(r.summary),
        counts: JSON.parse(String(r.counts)) as DomainCounts,
        evidence,
        remediation: nullable(r.remediation),
        first_seen: nullable(r.first_seen),
        last_seen: nullable(r.last_seen),
      };
    });
  return {
    findings,
    notes: JSON.parse(String(run.notes)) as string[],
    timelines: run.timelines === null ? null : timelinesFromJson(String(run.timelines)),
    evidenceDigests,
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
  /** Evidence already in audit_evidence (a reused diagnosis's): neither hashed nor looked up again. */
  storedEvidence: WeakMap<object, string> | null;
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
    const stored = run.storedEvidence?.get(finding.evidence);
    if (stored !== undefined) return { finding, evidence: null, digest: stored };
    const evidence = JSON.stringify(finding.evidence, jsonSafe);
    return { finding, evidence, digest: createHash('sha256').update(evidence).digest('hex') };
  });
  await storeEvidence(connection, rows);

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

/** Writes the evidence texts not stored yet (under their digest). */
async function storeEvidence(connection: DuckDBConnection, rows: { evidence: string | null; digest: string }[]): Promise<void> {
  const fresh = rows.filter((r): r is { evidence: string; digest: string } => r.evidence !== null);
  if (fresh.length === 0) return;
  // Hex digests joined by commas rather than a LIST value: this module then needs no runtime import
  // of the DuckDB API, whose loading as an ES module is a large part of the CLI's start-up.
  const digests = [...new Set(fresh.map((r) => r.digest))].join(',');
  const sql = "SELECT digest FROM audit_evidence WHERE list_contains(string_split($digests, ','), digest)";
  const known = new Set((await runSql(connection, sql, { digests })).rows.map((r) => String(r.digest)));
  const appender = await connection.createAppender('audit_evidence');
  for (const { evidence, digest } of fresh) {
    if (known.has(digest)) continue;
    known.add(digest);
    appender.appendVarchar(digest);
    appender.appendVarchar(evidence);
    appender.endRow();
  }
  appender.closeSync();
}

function appendNullable(appender: { appendVarchar(v: string): void; appendNull(): void }, value: string | null): void {
  if (value === null) appender.appendNull();
  else appender.appendVarchar(value);
}
