// Shared by the benchmarks: medians, and running this benchmark file again as a child process
// (one measurement per fresh process, so peak RSS and warm-up are per run).
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileSource } from '../src/readers/byte-source.js';
import type { Reader } from '../src/readers/types.js';
import { fileURLToPath } from 'node:url';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs `script --child ...args` under tsx; the child prints its result as JSON on its last stdout line. */
export function childResult<T>(scriptUrl: string, args: readonly string[]): T {
  const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(scriptUrl), '--child', ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`child ${args.join(' ')} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as T;
}

/** What one timed load reports back from its child process. */
export interface LoadResult {
  seconds: number;
  rows: number;
  maxRssMb: number;
}

/** Our ingest of one text log, then (timed apart) the derived tables taking its rows in. */
export interface OursResult extends LoadResult {
  deriveSeconds: number;
  /** Peak RSS of the whole child, the take-in included (maxRssMb is the peak when the load ended). */
  deriveMaxRssMb: number;
}

/** The lines of a text bench's summary about our side: the load's rate and memory, and the take-in after it. */
export function describeOurs(ours: readonly OursResult[], megabytes: number): string[] {
  const deriveSeconds = median(ours.map((r) => r.deriveSeconds));
  const loadSeconds = median(ours.map((r) => r.seconds));
  return [
    `then the derived tables take the file in: ${deriveSeconds.toFixed(2)} s (median), peak RSS ${Math.max(...ours.map((r) => r.deriveMaxRssMb)).toFixed(0)} MB;` +
      ` load + take-in ${(megabytes / (loadSeconds + deriveSeconds)).toFixed(1)} MB/s`,
  ];
}

/** Runs `measure` against a fresh database file `db`, removed again before and afterwards. */
function withFreshDb<T>(db: string, measure: () => T): T {
  const remove = () => {
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
  };
  remove();
  try {
    return measure();
  } finally {
    remove();
  }
}

/** The arguments of one load by bench/load-child.mjs: ours (format, count query) or DuckDB's read_csv (delimiter, column count). */
export type LoadJob = { mode: 'ours'; format: string; countSql: string } | { mode: 'duckdb'; delimiter: string; columnCount: number };

/**
 * One timed load of `log` into a fresh database `db`, in a fresh process of plain Node
 * (bench/load-child.mjs): peak RSS is the load's own, with no TypeScript loader in the process.
 */
export function loadInChild<T extends LoadResult>(log: string, db: string, job: LoadJob): T {
  const args = job.mode === 'ours' ? [job.format, job.countSql] : [job.delimiter, String(job.columnCount)];
  const script = fileURLToPath(new URL('./load-child.mjs', import.meta.url));
  return withFreshDb(db, () => {
    const run = spawnSync(process.execPath, [script, job.mode, log, db, ...args], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`load-child ${job.mode} failed: ${run.stderr}`);
    return JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as T;
  });
}

/**
 * A module of the built product (`dist/`, made by `npm run bench`'s build step), so the product's
 * own timings and memory are measured as shipped rather than through tsx (which also has to be
 * loaded into the reading thread). `T` is the type of the same module under src/.
 */
export async function shipped<T>(path: string): Promise<T> {
  const url = new URL(`../dist/${path}`, import.meta.url);
  if (!existsSync(url)) throw new Error(`${fileURLToPath(url)} is missing: run \`npm run build\` (npm run bench does)`);
  return (await import(url.href)) as T;
}

/** Runs a reader over a whole file with a context that drops issues: wall and CPU seconds, records read. */
export async function timeReader(reader: Reader, file: string): Promise<{ seconds: number; cpu: number; records: number }> {
  const ctx = { tz: null, recover: false, issue() {}, timeRule() {} };
  const started = performance.now();
  const cpu = process.cpuUsage();
  let records = 0;
  for await (const record of reader.read(await fileSource(file), ctx)) if (record) records++;
  return { seconds: (performance.now() - started) / 1000, cpu: cpuSince(cpu), records };
}

/** CPU seconds (user + system, all threads) since `start`. */
export function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}
