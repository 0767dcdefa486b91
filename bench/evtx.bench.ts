// EVTX throughput on the decompressed `throughput-mix-512chunks.evtx` (33.5 MB, 37,400 records):
// our parse-to-records rate and our parse + load into DuckDB (loadRecords), against libevtx's
// `evtxexport -f xml > /dev/null` measured in the same run. Runs alternate (ours-parse,
// evtxexport, ours-load), each in a fresh process; medians of 5 are compared.
// Targets (issue 3): parse ≥ 10× evtxexport, parse + load ≥ 5×.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WORK = fileURLToPath(new URL('./.work/', import.meta.url));
const XZ = fileURLToPath(new URL('../../shared/corpus/evtx/throughput-mix-512chunks.evtx.xz', import.meta.url));
const FILE = join(WORK, 'throughput-mix-512chunks.evtx');
const RUNS = 5;

interface RunResult {
  seconds: number;
  records: number;
}

function prepare(): void {
  mkdirSync(WORK, { recursive: true });
  if (existsSync(FILE)) return;
  const partial = `${FILE}.partial`;
  writeFileSync(partial, execFileSync('xz', ['-dc', XZ], { maxBuffer: 1 << 30 }));
  renameSync(partial, FILE);
}

async function childParse(file: string): Promise<RunResult> {
  const { fileSource } = await import('../src/readers/byte-source.js');
  const { evtxReader } = await import('../src/readers/evtx/reader.js');
  const ctx = { tz: null, recover: false, issue() {}, timeRule() {} };
  const started = performance.now();
  let records = 0;
  for await (const record of evtxReader.read(await fileSource(file), ctx)) if (record) records++;
  return { seconds: (performance.now() - started) / 1000, records };
}

async function childLoad(file: string, db: string): Promise<RunResult> {
  const { fileSource } = await import('../src/readers/byte-source.js');
  const { evtxReader } = await import('../src/readers/evtx/reader.js');
  const { openStore } = await import('../src/store/store.js');
  const { loadRecords } = await import('../src/store/ingest.js');
  const store = await openStore(db);
  const ctx = { tz: null, recover: false, issue() {}, timeRule() {} };
  const started = performance.now();
  const result = await loadRecords(store, 'bench', 'evtx', evtxReader.read(await fileSource(file), ctx));
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return { seconds, records: result.records };
}

function runChild(mode: 'parse' | 'load'): RunResult {
  const db = join(WORK, 'evtx-bench.duckdb');
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', mode, FILE, db], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`child ${mode} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as RunResult;
}

function runEvtxexport(records: number): RunResult {
  const devNull = openSync('/dev/null', 'w');
  try {
    const started = performance.now();
    const run = spawnSync('evtxexport', ['-f', 'xml', FILE], { stdio: ['ignore', devNull, 'ignore'] });
    if (run.status !== 0) throw new Error(`evtxexport exited ${run.status}`);
    return { seconds: (performance.now() - started) / 1000, records };
  } finally {
    closeSync(devNull);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const result = args[1] === 'parse' ? await childParse(args[2]) : await childLoad(args[2], args[3]);
    console.log(JSON.stringify(result));
    return;
  }
  prepare();
  const parse: number[] = [];
  const reference: number[] = [];
  const load: number[] = [];
  let records = 0;
  let withLoad = true;
  for (let i = 0; i < RUNS; i++) {
    const ours = runChild('parse');
    records = ours.records;
    parse.push(ours.seconds);
    reference.push(runEvtxexport(records).seconds);
    if (withLoad) {
      try {
        const loaded = runChild('load');
        if (loaded.records !== records) throw new Error(`loaded ${loaded.records} of ${records} records`);
        load.push(loaded.seconds);
      } catch (error) {
        console.log(`parse + load skipped: ${(error as Error).message.split('\n')[0]}`);
        withLoad = false;
      }
    }
    console.log(`run ${i + 1}: ours ${parse[i].toFixed(2)} s, evtxexport ${reference[i].toFixed(2)} s${withLoad ? `, ours + DuckDB ${load[i].toFixed(2)} s` : ''}`);
  }
  const rate = (seconds: number) => records / seconds;
  const refRate = rate(median(reference));
  console.log(`records: ${records} (${FILE})`);
  console.log(`evtxexport -f xml:      ${Math.round(refRate)} records/s (median of ${RUNS})`);
  const parseRate = rate(median(parse));
  console.log(`ours, parse:            ${Math.round(parseRate)} records/s = ${(parseRate / refRate).toFixed(1)}x evtxexport (target >= 10x)`);
  if (withLoad) {
    const loadRate = rate(median(load));
    console.log(`ours, parse + DuckDB:   ${Math.round(loadRate)} records/s = ${(loadRate / refRate).toFixed(1)}x evtxexport (target >= 5x)`);
  }
}

await main();
