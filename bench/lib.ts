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

/**
 * `edgelog ingest` of `log` as shipped, in two timed parts: the load (reader → DuckDB, the ledger,
 * one transaction) is what is compared with DuckDB's read_csv; the derived tables' take-in of the
 * file (src/analysis/derived), which `ingest` runs once per run after its loads, is reported apart.
 * `countSql` counts the rows that read_csv's table is compared with.
 */
export async function runOursWithTakeIn(log: string, db: string, format: string, countSql: string): Promise<OursResult> {
  const { openStore } = await shipped<typeof import('../src/store/store.js')>('store/store.js');
  const { ingestPaths } = await shipped<typeof import('../src/store/ingest.js')>('store/ingest.js');
  const { refreshDerived } = await shipped<typeof import('../src/analysis/derived/maintain.js')>('analysis/derived/maintain.js');
  const { runSql } = await shipped<typeof import('../src/store/sql.js')>('store/sql.js');
  const store = await openStore(db);
  try {
    const started = performance.now();
    const [summary] = await ingestPaths(store, [log], { format, derive: false });
    const seconds = (performance.now() - started) / 1000;
    if (summary.status !== 'ok') throw new Error(`ingest ${summary.status}: ${summary.message}`);
    const maxRssMb = process.resourceUsage().maxRSS / 1024;
    const deriveStarted = performance.now();
    const taken = await refreshDerived(store.connection);
    if (taken !== 1) throw new Error(`the take-in took ${taken} files, not 1`);
    const deriveSeconds = (performance.now() - deriveStarted) / 1000;
    const { rows } = await runSql(store.connection, countSql);
    return { seconds, rows: Number(rows[0].n), maxRssMb, deriveSeconds, deriveMaxRssMb: process.resourceUsage().maxRSS / 1024 };
  } finally {
    await store.close();
  }
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

/** Runs a child measurement against a fresh database file `db`, removed again afterwards. */
export function childWithFreshDb<T>(scriptUrl: string, args: readonly string[], db: string): T {
  const remove = () => {
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
  };
  remove();
  try {
    return childResult<T>(scriptUrl, [...args, db]);
  } finally {
    remove();
  }
}

/**
 * The reference route of duckdb-notes.md: DuckDB's own read_csv into a table, every column VARCHAR
 * with explicit names, no quoting, `#` directive lines dropped by a WHERE.
 */
export async function duckdbReadCsv(log: string, db: string, delim: string, columnCount: number): Promise<LoadResult> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(db);
  const connection = await instance.connect();
  const columns = Array.from({ length: columnCount }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  const started = performance.now();
  await connection.run(
    `CREATE TABLE raw AS SELECT * FROM read_csv('${log.replace(/'/g, "''")}', delim = '${delim}', quote = '', escape = '',
       header = false, auto_detect = false, null_padding = true, columns = {${columns}}) WHERE NOT starts_with(c0, '#')`,
  );
  const seconds = (performance.now() - started) / 1000;
  const count = await connection.runAndReadAll('SELECT count(*) AS n FROM raw');
  const rows = Number(count.getRowObjectsJson()[0].n);
  connection.closeSync();
  instance.closeSync();
  return { seconds, rows, maxRssMb: process.resourceUsage().maxRSS / 1024 };
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
