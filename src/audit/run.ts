// One audit run, start to end: lock, ingest what is new, apply retention, diagnose, compare with
// the previous run, stage the three report files, record the run, publish the report folder.
// The run is recorded (one transaction) only once its report is fully written, and the report is
// published only after the run is recorded: a failure at any step leaves the previous state.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DiagnosisResult } from '../analysis/diagnose.js';
import type { Window } from '../analysis/sql.js';
import { EdgelogError, EXIT_FINDINGS, EXIT_OK } from '../cli/errors.js';
import { renderFindingsJson } from '../render/findings-json.js';
import type { AuditReport, FolderReport, IngestProblem } from '../render/model.js';
import { renderReportHtml } from '../render/report-html.js';
import { renderSummaryMarkdown } from '../render/summary-md.js';
import type { IngestOptions } from '../store/ingest.js';
import { runSql } from '../store/sql.js';
import { openStore } from '../store/store.js';
import { isoFromNanos } from '../util/timezone.js';
import { compareWithPrevious, failingFindings } from './compare.js';
import type { AuditConfig } from './config.js';
import { previousRun, recordRun } from './history.js';
import { holdIfRequested } from './hold.js';
import { ingestFolders, listFolders, rememberUnrecognised, type FolderResult } from './inputs.js';
import { acquireAuditLock } from './lock.js';
import { stageReport } from './output.js';
import { applyRetention, type RetentionResult } from './retention.js';
import { domainTimelines } from './timeline.js';
import { inTransaction } from './transaction.js';
import { EDGELOG_VERSION } from './version.js';
import { windowProblem, nanosFromDate, parseWindowBound } from '../util/time-window.js';

export interface AuditSettings extends AuditConfig {
  /** Absolute database path. */
  db: string;
  /** Default zone for folders that name none (`--tz`). */
  defaultTz: string | null;
}

export interface AuditOutcome {
  report: AuditReport;
  reportDir: string;
  exitCode: number;
}

const ISSUES_PER_FILE = 5;
const PROBLEM_STATUSES = new Set(['failed', 'partial', 'missing']);

/** The report folder name: the run's local calendar date, as the administrator's clock shows it. */
export function dayFolderName(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function windowBound(text: string | null, nowNs: bigint, key: string): bigint | null {
  if (text === null) return null;
  const value = parseWindowBound(text, nowNs);
  if (value === null) throw new EdgelogError(`${key}: ${windowProblem(text)}`);
  return value;
}

/**
 * Everything the diagnosis (and its charts) depends on; equal keys mean the previous run's can be
 * reused. Data only changes by ingest (a new ledger row) or by retention, which makes the key
 * unique to its run.
 */
async function diagnosisKey(connection: DuckDBConnection, parts: Record<string, unknown>): Promise<string> {
  const ledger = (
    await runSql(
      connection,
      `SELECT count(*) AS files, coalesce(max(file_id), 0) AS last_file, coalesce(sum(records_stored), 0) AS records
         FROM ingest_files WHERE status IN ('ok', 'partial')`,
    )
  ).rows[0];
  return JSON.stringify({ version: EDGELOG_VERSION, ledger, ...parts });
}

function folderReport(result: FolderResult): FolderReport {
  const byStatus: Record<string, number> = {};
  for (const s of result.ingested) byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
  if (result.stillUnrecognised > 0) byStatus.unrecognised = (byStatus.unrecognised ?? 0) + result.stillUnrecognised;
  return {
    path: result.folder.path,
    globs: result.folder.globs,
    tz: result.folder.tz,
    format: result.folder.format,
    found: result.found,
    unchanged: result.unchanged,
    byStatus,
    records: result.ingested.reduce((sum, s) => sum + s.records, 0),
    missing: result.missing,
  };
}

async function ingestProblems(connection: DuckDBConnection, results: FolderResult[]): Promise<IngestProblem[]> {
  const problems: IngestProblem[] = results
    .filter((r) => r.missing !== null)
    .map((r) => ({ path: r.folder.path, status: 'missing', message: r.missing, issues: [], issueCount: 0 }));
  for (const s of results.flatMap((r) => r.ingested)) {
    if (!PROBLEM_STATUSES.has(s.status) && s.issues === 0) continue;
    const issues =
      s.fileId === null
        ? []
        : (
            await runSql(
              connection,
              `SELECT severity, message, byte_offset, line_no, count(*) OVER () AS total FROM ingest_issues
               WHERE file_id = $id ORDER BY (severity = 'error') DESC, byte_offset, line_no LIMIT ${ISSUES_PER_FILE}`,
              { id: s.fileId },
            )
          ).rows;
    problems.push({
      path: s.path,
      status: s.status,
      message: s.message,
      issues: issues.map((i) => ({
        where: i.line_no !== null ? `line ${i.line_no}` : i.byte_offset !== null ? `byte offset ${i.byte_offset}` : null,
        severity: String(i.severity),
        message: String(i.message),
      })),
      issueCount: issues.length > 0 ? Number(issues[0].total) : 0,
    });
  }
  return problems;
}

export async function runAudit(settings: AuditSettings, now: Date = new Date()): Promise<AuditOutcome> {
  const nowNs = nanosFromDate(now);
  const since = windowBound(settings.since, nowNs, '--since');
  const until = windowBound(settings.until, nowNs, 'window.until');
  const firewallMapText = settings.firewallMap === null ? null : readFirewallMap(settings.firewallMap);
  const outRoot = settings.out ?? join(dirname(settings.db), 'edgelog-reports');
  const folders = settings.folders.map((f) => ({ ...f, tz: f.tz ?? settings.defaultTz }));
  if (folders.length === 0 && settings.file === null) {
    throw new EdgelogError('nothing to audit: give folders in --config or PATH arguments');
  }

  const startedAt = now.toISOString();
  const lock = acquireAuditLock(settings.db, now);
  try {
    holdIfRequested('locked');
    // Listing the folders needs no database, so it runs while the store opens. Awaited below; the
    // catch only keeps a failed open from leaving its rejection unhandled.
    const listings = listFolders(folders);
    listings.catch(() => undefined);
    const store = await openStore(settings.db);
    try {
      const { connection } = store;
      const ingested = await ingestFolders(store, await listings, ingestHold());
      holdIfRequested('ingested');
      let retention: RetentionResult | null = null;
      if (settings.retainDays !== null) {
        const cutoff = isoFromNanos(nowNs - BigInt(settings.retainDays) * 86_400n * 1_000_000_000n, 6);
        retention = await applyRetention(connection, cutoff);
      }

      const retentionChanged = retention !== null && Object.keys(retention.deleted).length > 0;
      const key = await diagnosisKey(connection, {
        since: String(since),
        until: String(until),
        firewallMapText,
        skew: settings.skewSeconds,
        ...(retentionChanged ? { retention: startedAt } : {}),
      });
      const previous = await previousRun(connection, key);
      const reusable = previous?.reusable ?? null;
      const diagnosis = reusable ?? (await diagnoseWindow(connection, { since, until }, firewallMapText, settings));
      holdIfRequested('diagnosed');

      const comparison = compareWithPrevious(diagnosis.findings, previous?.problems ?? [], startedAt);
      const exitCode = failingFindings(comparison.findings, settings.failOn).length > 0 ? EXIT_FINDINGS : EXIT_OK;
      const window = { since: since === null ? null : isoFromNanos(since, 3), until: until === null ? null : isoFromNanos(until, 3) };
      const chartDomains = [...new Set(comparison.findings.filter((f) => f.status === 'new' || f.status === 'ongoing').map((f) => f.domain))];
      // Charts depend on the same data and window as the diagnosis: reused with it.
      const storedTimelines = reusable?.timelines ?? null;
      const timelines = storedTimelines ?? (await domainTimelines(connection, chartDomains, { since, until }));
      const runId = (previous?.runId ?? 0) + 1;
      const report: AuditReport = {
        runId,
        previousRunId: previous?.runId ?? null,
        startedAt,
        finishedAt: new Date().toISOString(),
        db: settings.db,
        configPath: settings.file,
        window,
        failOn: settings.failOn,
        exitCode,
        diagnosisReused: reusable !== null,
        findings: comparison.findings,
        noLongerSeen: comparison.noLongerSeen,
        folders: ingested.map(folderReport),
        ingestProblems: await ingestProblems(connection, ingested),
        retention: retention === null ? null : { days: settings.retainDays ?? 0, deleted: retention.deleted },
        notes: [
          ...(lock.tookOverFrom
            ? [`took over the lock of an audit that is no longer running (pid ${lock.tookOverFrom.pid}, started ${lock.tookOverFrom.started})`]
            : []),
          ...(previous?.reusable ? [`no new data since run ${previous.runId}: its diagnosis was reused`] : []),
          ...diagnosis.notes,
        ],
        timelines,
      };
      const staged = await stageReport(outRoot, dayFolderName(now), {
        'findings.json': renderFindingsJson(report),
        'summary.md': renderSummaryMarkdown(report),
        'report.html': renderReportHtml(report),
      });
      try {
        holdIfRequested('staged');
        await inTransaction(connection, async () => {
          await recordRun(connection, {
            runId,
            startedAt,
            finishedAt: report.finishedAt,
            windowSince: window.since,
            windowUntil: window.until,
            failOn: settings.failOn,
            exitCode,
            configPath: settings.file,
            outDir: staged.finalDir,
            inputs: report.folders,
            ...fileCounts(ingested),
            diagnosisKey: key,
            notes: diagnosis.notes,
            findings: comparison.findings,
            timelines: storedTimelines === null ? timelines : null,
            storedEvidence: reusable?.evidenceDigests ?? null,
          });
          await rememberUnrecognised(connection, ingested);
        });
        holdIfRequested('recorded');
        staged.publish();
        if (reusable !== null && !retentionChanged) {
          // Only this run's few rows were written: leave them in the write-ahead log (read and
          // replayed by every later open) instead of paying a checkpoint, most of an unchanged
          // re-run's time. Runs that ingest or delete data checkpoint as usual.
          await connection.run('PRAGMA disable_checkpoint_on_shutdown');
        }
      } catch (error) {
        staged.discard();
        throw error;
      }
      return { report, reportDir: staged.finalDir, exitCode };
    } finally {
      await store.close();
    }
  } finally {
    lock.release();
  }
}

function fileCounts(results: FolderResult[]): { filesIngested: number; filesUnchanged: number; filesFailed: number } {
  const summaries = results.flatMap((r) => r.ingested);
  return {
    filesIngested: summaries.filter((s) => s.status === 'ok' || s.status === 'partial').length,
    filesUnchanged: results.reduce((n, r) => n + r.unchanged, 0),
    filesFailed: summaries.filter((s) => s.status === 'failed' || s.status === 'missing').length,
  };
}

/** The diagnosis module (and its rules and queries) loads only when the data or options changed. */
async function diagnoseWindow(
  connection: DuckDBConnection,
  window: Window,
  firewallMapText: string | null,
  settings: AuditSettings,
): Promise<Pick<DiagnosisResult, 'findings' | 'notes'>> {
  const { diagnose, parseFirewallMap } = await import('../analysis/diagnose.js');
  return diagnose(connection, {
    ...window,
    firewallMap: firewallMapText === null ? undefined : parseFirewallMap(firewallMapText, settings.firewallMap ?? ''),
    skewSeconds: settings.skewSeconds ?? undefined,
  });
}

function readFirewallMap(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new EdgelogError(`cannot read firewall map ${path}: ${(error as Error).message}`);
  }
}

/** EDGELOG_AUDIT_HOLD=ingesting:<n> freezes inside the n-th ingested file's transaction. */
function ingestHold(): Pick<IngestOptions, 'onProgress'> {
  let files = 0;
  let current: string | null = null;
  return {
    onProgress: (path) => {
      if (path === current) return;
      current = path;
      files++;
      holdIfRequested(`ingesting:${files}`);
    },
  };
}
