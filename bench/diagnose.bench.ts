// `diagnose` and every canned diagnosis report on a store at scale (>= 1 million messages), each
// timed against a plain full scan of message tracking in the same run
// (`SELECT recipient_domain, count(*) FROM tracking GROUP BY 1`); target <= 5x that scan.
//
// The store: the bundled scenario is ingested once, then every data table is copied BENCH_COPIES
// times in SQL, each copy shifted a week later, with its message ids, session keys, record ids and
// sequence numbers made unique: the same mix of domains, look-alikes and firewall events, repeated
// until there are a million messages. (Generating that many with `npm run scenario -- --scale`
// takes over an hour; the copies take seconds and keep the scenario's proportions.)
// Rounds alternate the scan, diagnose and the reports; medians are printed.
// BENCH_DB=FILE keeps the built store there (and reuses it when it exists); BENCH_COPIES and
// BENCH_ROUNDS override the number of copies and rounds. Then one more file of each kind is
// ingested into a copy of the store, its derived rows kept up to date (BENCH_INGEST=0 skips it).
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type Store } from '../src/store/store.js';
import { ingestPaths } from '../src/store/ingest.js';
import { TABLES, type TableDef } from '../src/store/records.js';
import { parseZone } from '../src/util/timezone.js';
import { diagnose } from '../src/analysis/diagnose.js';
import { rebuildDerived } from '../src/analysis/derived/maintain.js';
import { bindParams, listReports } from '../src/reports/catalog.js';
import { runSql } from '../src/store/sql.js';
import { median } from './lib.js';

const repo = fileURLToPath(new URL('../', import.meta.url));
const TARGET_MESSAGES = 1_000_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DIAGNOSIS_REPORTS = [
  'domain-summary', 'stuck-messages', 'ndr-by-domain', 'xexch50-sessions', 'firewall-smtp-blocks',
  'queue-retry', 'smtp-errors', 'isa-denied-smtp', 'domain-timeline', 'event-id-gaps',
];

const SEQ_STRIDE = 100_000_000;
const RECORD_STRIDE = 10_000_000;

/** SELECT list of one copy `r.k` of a table: times a week later per copy, identifiers made unique. */
function copyColumns(columns: Readonly<Record<string, string>>, alias: string): string {
  const replaced: string[] = [`${alias}.seq + r.k * ${SEQ_STRIDE} AS seq`];
  for (const [name, type] of Object.entries(columns)) {
    if (type === 'TIMESTAMP' || type === 'TIMESTAMP_NS') replaced.push(`${alias}.${name} + to_days(CAST(r.k * 7 AS INTEGER)) AS ${name}`);
    else if (['message_id', 'internal_id', 'session_key'].includes(name)) replaced.push(`${alias}.${name} || '#' || r.k AS ${name}`);
    else if (name === 'record_id') replaced.push(`${alias}.record_id + r.k * ${RECORD_STRIDE} AS record_id`);
  }
  return `${alias}.* REPLACE (${replaced.join(', ')})`;
}

async function buildStore(path: string): Promise<{ messages: number; copies: number; rows: Record<string, number>; reused: boolean }> {
  const reuse = existsSync(path);
  const store = await openStore(path);
  try {
    if (!reuse) await ingestPaths(store, [join(repo, 'fixtures/scenario')], { tz: parseZone('America/New_York') });
    const base = await count(store, `SELECT count(DISTINCT coalesce(message_id, internal_id)) AS n FROM tracking WHERE message_id NOT LIKE '%#%'`);
    const copies = Number(process.env.BENCH_COPIES ?? Math.ceil(TARGET_MESSAGES / base));
    for (const table of reuse ? [] : (TABLES as readonly TableDef[])) {
      await store.connection.run(`INSERT INTO ${table.name} SELECT ${copyColumns(table.columns, 't')} FROM ${table.name} t, range(1, ${copies}) r(k)`);
      for (const child of table.children ?? []) {
        await store.connection.run(`INSERT INTO ${child.table} SELECT ${copyColumns(child.columns, 't')} FROM ${child.table} t, range(1, ${copies}) r(k)`);
      }
    }
    if (!reuse) {
      // The copies bypass ingest: derive everything from them at once, as a migration would.
      await store.connection.run('BEGIN TRANSACTION');
      await rebuildDerived(store.connection);
      await store.connection.run('COMMIT');
    }
    await store.connection.run('CHECKPOINT');
    const rows: Record<string, number> = {};
    for (const t of ['tracking', 'smtp_lines', 'smtp_sessions', 'events', 'firewall_log', 'queue_snapshots']) {
      rows[t] = await count(store, `SELECT count(*) AS n FROM ${t}`);
    }
    const messages = await count(store, 'SELECT count(DISTINCT coalesce(message_id, internal_id)) AS n FROM tracking');
    return { messages, copies: Math.round(messages / base), rows, reused: reuse };
  } finally {
    await store.close();
  }
}

async function count(store: Store, sql: string): Promise<number> {
  return Number((await runSql(store.connection, sql)).rows[0].n);
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** Scenario files of each kind the derived tables are kept from: tracking, SMTP (2003, 2007), firewall events and log. */
const INGEST_FILES = [
  'EXCH01/EXCH01.log/20070309.log',
  'EXCH01/SMTPSVC1/ex070309.log',
  'HUB01/ProtocolLog/SmtpSend/SEND20070309-1.LOG',
  'ISA06-EDGE/Application.evtx',
  'ISA06-EDGE/ISALogs/ISALOG_20070309_FWS_000.w3c',
];

/**
 * The cost of one more file, with the derived tables kept up to date in its transaction: each
 * scenario file (made new by a trailing comment line or padding, so it is not a duplicate; its
 * messages and sessions are those of the store's first copy) is ingested into a copy of the store at
 * scale and into an empty store, in the same run.
 */
async function measureIngest(storePath: string): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'edgelog-bench-ingest-'));
  try {
    const big = join(work, 'big.duckdb');
    copyFileSync(storePath, big);
    if (existsSync(`${storePath}.wal`)) copyFileSync(`${storePath}.wal`, `${big}.wal`);
    const atScale = await openStore(big);
    const empty = await openStore(join(work, 'empty.duckdb'));
    console.log(`one more file, ingested with its derived rows (ms): ${'file'.padEnd(48)} ${'KB'.padStart(6)} ${'at scale'.padStart(9)} ${'empty'.padStart(7)}`);
    try {
      for (const file of INGEST_FILES) {
        const copy = join(work, file.replaceAll('/', '_'));
        const original = readFileSync(join(repo, 'fixtures/scenario', file));
        writeFileSync(copy, Buffer.concat([original, file.endsWith('.evtx') ? Buffer.alloc(4096) : Buffer.from('#bench copy\r\n')]));
        const ingest = (store: Store) => timed(() => ingestPaths(store, [copy], { tz: parseZone('America/New_York') }));
        const [scaled, alone] = [await ingest(atScale), await ingest(empty)];
        console.log(`${''.padEnd(50)} ${file.padEnd(48)} ${(original.length / 1024).toFixed(0).padStart(6)} ${scaled.toFixed(0).padStart(9)} ${alone.toFixed(0).padStart(7)}`);
      }
    } finally {
      await atScale.close();
      await empty.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const dir = mkdtempSync(join(tmpdir(), 'edgelog-bench-diagnose-'));
const path = process.env.BENCH_DB ?? join(dir, 'bench.duckdb');
try {
  const startBuild = performance.now();
  const { messages, copies, rows, reused } = await buildStore(path);
  console.log(
    `store: bundled scenario x${copies} = ${messages.toLocaleString('en')} messages; ` +
      Object.entries(rows).map(([t, n]) => `${t} ${n.toLocaleString('en')}`).join(', ') +
      (reused ? ` (reused ${path})` : ` (built in ${((performance.now() - startBuild) / 1000).toFixed(1)} s)`),
  );

  const store = await openStore(path, { readOnly: true });
  const reports = listReports().filter((r) => DIAGNOSIS_REPORTS.includes(r.name));
  const blocked = (await runSql(store.connection, `SELECT recipient_domains AS d FROM smtp_sessions WHERE xexch50_outcome = 'dropped-after-354' LIMIT 1`)).rows[0].d as string;
  const params: Record<string, Record<string, string>> = { 'domain-timeline': { domain: blocked } };

  const times = new Map<string, number[]>();
  const record = (name: string, ms: number) => times.set(name, [...(times.get(name) ?? []), ms]);
  let findings = 0;
  for (let round = 0; round < ROUNDS; round++) {
    record('scan', await timed(() => runSql(store.connection, 'SELECT recipient_domain, count(*) FROM tracking GROUP BY 1')));
    record('diagnose', await timed(async () => (findings = (await diagnose(store.connection, {})).findings.length)));
    for (const r of reports) {
      const bound = bindParams(r, params[r.name] ?? {});
      record(`report ${r.name}`, await timed(() => runSql(store.connection, r.sql, bound.values, bound.types)));
    }
  }
  await store.close();

  const scan = median(times.get('scan')!);
  console.log(`${ROUNDS} alternating rounds, medians; reference: full scan of tracking ${scan.toFixed(0)} ms`);
  console.log(`${'what'.padEnd(30)} ${'ms'.padStart(9)} ${'x scan'.padStart(8)}  target <= 5x`);
  for (const [name, values] of times) {
    if (name === 'scan') continue;
    const ms = median(values);
    const ratio = ms / scan;
    console.log(`${name.padEnd(30)} ${ms.toFixed(0).padStart(9)} ${ratio.toFixed(1).padStart(8)}  ${ratio <= 5 ? 'ok' : 'over'}`);
  }
  console.log(`diagnose: ${findings} findings, ${(messages / (median(times.get('diagnose')!) / 1000)).toFixed(0)} messages/s`);
  if (process.env.BENCH_INGEST !== '0') await measureIngest(path);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
