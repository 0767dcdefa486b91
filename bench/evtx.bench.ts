// EVTX throughput on the decompressed `throughput-mix-512chunks.evtx` (33.5 MB, 37,400 records):
// our parse-to-records rate and our ingest into DuckDB (ingestPaths, as `edgelog ingest`), against libevtx's
// `evtxexport -f xml > /dev/null` measured in the same run. Runs alternate (ours-parse,
// evtxexport, ours-load); medians of 5 are compared. Parsing runs in this process after one
// untimed warm-up parse (so every timed run is a warmed-up rate, as in a long ingest); each load
// runs in a fresh process that ingests the file twice into fresh databases, and the second (warm)
// ingest is compared, the first printed for information. Wall-clock and CPU-time rates are both
// printed: the machines are shared.
// Targets (issue 3): parse ≥ 10× evtxexport, parse + load ≥ 5×.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSince, median, shipped, timeReader } from './lib.js';

const WORK = fileURLToPath(new URL('./.work/', import.meta.url));
const XZ = fileURLToPath(new URL('../../shared/corpus/evtx/throughput-mix-512chunks.evtx.xz', import.meta.url));
const FILE = join(WORK, 'throughput-mix-512chunks.evtx');
const RUNS = 5;

interface RunResult {
  /** Wall-clock seconds of the timed part. */
  seconds: number;
  /** CPU seconds (user + system, all threads) of the timed part: steadier on a shared machine. */
  cpu: number;
  records: number;
}

function prepare(): void {
  mkdirSync(WORK, { recursive: true });
  if (existsSync(FILE)) return;
  const partial = `${FILE}.partial`;
  writeFileSync(partial, execFileSync('xz', ['-dc', XZ], { maxBuffer: 1 << 30 }));
  renameSync(partial, FILE);
}

async function parseOnce(file: string): Promise<RunResult> {
  const { evtxReader } = await import('../src/readers/evtx/reader.js');
  return timeReader(evtxReader, file);
}

/** The product's ingest of the file (ledger, fingerprint, parse in the reading thread, DuckDB load, derived tables). */
async function ingestOnce(file: string, db: string): Promise<RunResult> {
  const { openStore } = await shipped<typeof import('../src/store/store.js')>('store/store.js');
  const { ingestPaths } = await shipped<typeof import('../src/store/ingest.js')>('store/ingest.js');
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const store = await openStore(db);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const [result] = await ingestPaths(store, [file], { format: 'evtx' });
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSince(cpu);
  await store.close();
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  if (result.status !== 'ok') throw new Error(`ingest ${result.status}: ${result.message}`);
  return { seconds, cpu: cpuSeconds, records: result.records };
}

/**
 * Two ingests of the file into fresh databases in one new process: the first pays for compiling
 * the readers (as a one-file `edgelog ingest` does), the second runs warm, as every file after the
 * first does in a long ingest (the reading thread lives across files).
 */
async function childLoad(file: string, db: string): Promise<{ cold: RunResult; warm: RunResult }> {
  const cold = await ingestOnce(file, db);
  const warm = await ingestOnce(file, db);
  return { cold, warm };
}

function runLoadChild(): { cold: RunResult; warm: RunResult } {
  const db = join(WORK, 'evtx-bench.duckdb');
  const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', 'load', FILE, db], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`child load failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as { cold: RunResult; warm: RunResult };
}

/** `evtxexport -f xml FILE > /dev/null`, its CPU time taken by /usr/bin/time. */
function runEvtxexport(records: number): RunResult {
  const devNull = openSync('/dev/null', 'w');
  try {
    const started = performance.now();
    const run = spawnSync('/usr/bin/time', ['-f', 'cpu=%U+%S', 'evtxexport', '-f', 'xml', FILE], {
      stdio: ['ignore', devNull, 'pipe'],
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`evtxexport exited ${run.status}`);
    const seconds = (performance.now() - started) / 1000;
    const [user, system] = /cpu=([\d.]+)\+([\d.]+)/.exec(run.stderr)!.slice(1).map(Number);
    return { seconds, cpu: user + system, records };
  } finally {
    closeSync(devNull);
  }
}


async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const result = await childLoad(args[2], args[3]);
    console.log(JSON.stringify(result));
    return;
  }
  prepare();
  const parse: RunResult[] = [];
  const reference: RunResult[] = [];
  const load: RunResult[] = [];
  const coldLoad: RunResult[] = [];
  let withLoad = true;
  const show = (r: RunResult) => `${r.seconds.toFixed(2)} s (cpu ${r.cpu.toFixed(2)} s)`;
  console.log(`warm-up: ours ${show(await parseOnce(FILE))} (not counted)`);
  for (let i = 0; i < RUNS; i++) {
    const ours = await parseOnce(FILE);
    parse.push(ours);
    reference.push(runEvtxexport(ours.records));
    if (withLoad) {
      try {
        const { cold, warm } = runLoadChild();
        for (const loaded of [cold, warm]) {
          if (loaded.records !== ours.records) throw new Error(`loaded ${loaded.records} of ${ours.records} records`);
        }
        coldLoad.push(cold);
        load.push(warm);
      } catch (error) {
        console.log(`parse + load skipped: ${(error as Error).message.split('\n')[0]}`);
        withLoad = false;
      }
    }
    console.log(`run ${i + 1}: ours ${show(parse[i])}, evtxexport ${show(reference[i])}${withLoad ? `, ours + DuckDB ${show(load[i])} (first in its process ${show(coldLoad[i])})` : ''}`);
  }
  const records = parse[0].records;
  const rates = (runs: RunResult[]) => ({
    wall: records / median(runs.map((r) => r.seconds)),
    cpu: records / median(runs.map((r) => r.cpu)),
  });
  const ref = rates(reference);
  const line = (label: string, runs: RunResult[], target: string) => {
    const r = rates(runs);
    console.log(
      `${label} ${Math.round(r.wall)} records/s = ${(r.wall / ref.wall).toFixed(1)}x evtxexport; ` +
        `per CPU second ${Math.round(r.cpu)} = ${(r.cpu / ref.cpu).toFixed(1)}x (target >= ${target})`,
    );
  };
  console.log(`records: ${records} (${FILE}), medians of ${RUNS}`);
  console.log(`evtxexport -f xml:    ${Math.round(ref.wall)} records/s; per CPU second ${Math.round(ref.cpu)}`);
  line('ours, parse:         ', parse, '10x');
  if (withLoad) {
    line('ours, parse + DuckDB:', load, '5x');
    line('  first file of a process, for information:', coldLoad, '-');
  }
}

await main();
