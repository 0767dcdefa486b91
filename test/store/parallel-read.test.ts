// Large files are parsed in a worker thread (record-reading.ts). Forcing that path for every file,
// the store must come out identical to reading in this thread: every data table, the issues, and
// the ledger's counts, time span and time rule; an appended tail and a broken file go through it too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/store/store.js';
import { ingestPaths } from '../../src/store/ingest.js';
import { TABLES, type TableDef } from '../../src/store/records.js';
import { parseZone } from '../../src/util/timezone.js';
import { REPO, tempDir } from '../helpers/cli.js';

const SCENARIO = join(REPO, 'fixtures/scenario');
const DATA_TABLES = (TABLES as readonly TableDef[]).flatMap((t) => [t.name, ...(t.children ?? []).map((c) => c.table)]);

async function snapshot(store: Store): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const read = async (sql: string) => JSON.stringify((await store.connection.runAndReadAll(sql)).getRowsJson());
  for (const table of [...DATA_TABLES, 'ingest_issues']) {
    out[table] = await read(`SELECT count(*), ${table === 'ingest_issues' ? '' : 'sum(hash(file_id, seq)),'} sum(hash(COLUMNS(* EXCLUDE (file_id)))) FROM ${table}`);
  }
  out.ledger = await read(
    'SELECT regexp_replace(path, \'.*/\', \'\'), status, records_stored, records_rejected, first_time, last_time, time_rule, message, start_offset FROM ingest_files ORDER BY file_id',
  );
  return out;
}

async function ingestAll(dir: string, parallelFrom: number, inputs: string[]): Promise<Record<string, string>> {
  const store = await openStore(join(dir, `p${parallelFrom}.duckdb`));
  const summaries = await ingestPaths(store, inputs, { tz: parseZone('America/New_York'), parallelFrom });
  assert.ok(summaries.every((s) => s.status !== 'failed' || s.message?.includes('line')), JSON.stringify(summaries.filter((s) => s.status === 'failed')));
  const result = await snapshot(store);
  await store.close();
  return result;
}

test('a worker-thread read stores exactly what a read in this thread stores', async () => {
  const dir = tempDir();
  // One file of each kind of source in the scenario, plus a text log with a malformed line in the middle.
  const broken = join(dir, 'broken-tracking.log');
  const tracking = readFileSync(join(SCENARIO, 'EXCH01/EXCH01.log/20070308.log'), 'latin1').split('\r\n');
  tracking.splice(40, 0, 'this line\tis not\ta tracking row');
  writeFileSync(broken, tracking.join('\r\n'), 'latin1');
  const inputs = [
    'EXCH01/EXCH01.log/20070309.log',
    'EXCH01/SMTPSVC1/ex070309.log',
    'EXCH01/Queues/queues-20070309-0830.txt',
    'HUB01/MessageTracking/MSGTRK20070309-1.LOG',
    'HUB01/ProtocolLog/SmtpSend/SEND20070309-1.LOG',
    'ISA06-EDGE/ISALogs/ISALOG_20070309_FWS_000.w3c',
    'ISA06-EDGE/Application.evtx',
    'ISA2K-GW/Application.evt',
  ].map((p) => join(SCENARIO, p));
  inputs.push(broken);
  const here = await ingestAll(dir, Number.MAX_SAFE_INTEGER, inputs);
  const worker = await ingestAll(dir, 0, inputs);
  assert.ok(Number(JSON.parse(here.tracking)[0][0]) > 1000, 'tracking rows were loaded');
  assert.ok(Number(JSON.parse(here.events)[0][0]) > 10, 'event records were loaded');
  assert.ok(Number(JSON.parse(here.ingest_issues)[0][0]) >= 1, 'the malformed line was reported');
  assert.deepEqual(worker, here);
});

test('an appended tail read in a worker adds exactly the new lines', async () => {
  const dir = tempDir();
  const log = join(dir, '20070308.log');
  const lines = readFileSync(join(SCENARIO, 'EXCH01/EXCH01.log/20070308.log'), 'latin1').split('\r\n');
  const half = Math.floor(lines.length / 2);
  writeFileSync(log, lines.slice(0, half).join('\r\n') + '\r\n', 'latin1');
  const store = await openStore(join(dir, 'tail.duckdb'));
  const [first] = await ingestPaths(store, [log], { parallelFrom: 0 });
  appendFileSync(log, lines.slice(half).join('\r\n'), 'latin1');
  const [second] = await ingestPaths(store, [log], { parallelFrom: 0 });
  assert.equal(second.appended, true);
  const whole = join(dir, 'whole.log');
  copyFileSync(join(SCENARIO, 'EXCH01/EXCH01.log/20070308.log'), whole);
  const reference = await openStore(join(dir, 'whole.duckdb'));
  const [all] = await ingestPaths(reference, [whole]);
  assert.equal(first.records + second.records, all.records);
  const count = async (s: Store) => (await s.connection.runAndReadAll('SELECT count(*), sum(hash(COLUMNS(* EXCLUDE (file_id, seq, line_no)))) FROM tracking')).getRowsJson();
  assert.deepEqual(await count(store), await count(reference));
  await store.close();
  await reference.close();
});

test('a text log whose reading outgrows the lean thread heap is rolled back and read again in a roomier thread', async () => {
  const dir = tempDir();
  // 2,500 inbound sessions open at once, 160 recipients each: the open sessions' recipients alone
  // (400,000) need more than the text thread's 48 MB old generation.
  const sessions = 2_500;
  const recipients = 160;
  const peer = (s: number) => `10.0.${s >> 8}.${s & 255}`;
  const lines = ['#Software: Microsoft Internet Information Services 6.0', '#Version: 1.0', '#Date: 2006-03-14 00:00:00', '#Fields: date time c-ip cs-username s-sitename cs-method cs-uri-query sc-status'];
  for (let s = 0; s < sessions; s++) lines.push(`2006-03-14 09:00:00 ${peer(s)} relay${s}.example.org SMTPSVC1 HELO +relay${s}.example.org 250`);
  for (let r = 0; r < recipients; r++) {
    const time = `09:0${Math.floor(r / 40)}:${String((r % 40) + 10)}`; // inside the 10-minute idle window
    for (let s = 0; s < sessions; s++) lines.push(`2006-03-14 ${time} ${peer(s)} relay${s}.example.org SMTPSVC1 RCPT +TO:<u${r}.${s}@contoso.example> 250`);
  }
  const path = join(dir, 'ex060314.log');
  writeFileSync(path, lines.join('\r\n') + '\r\n');
  const store = await openStore(join(dir, 'oom.duckdb'));
  const [summary] = await ingestPaths(store, [path], { parallelFrom: 0 });
  const count = async (sql: string) => Number((await store.connection.runAndReadAll(sql)).getRows()[0][0]);
  assert.deepEqual([summary.status, summary.format, summary.records, summary.issues], ['ok', 'iis-smtp-w3c', sessions * (1 + recipients) + sessions, 1]);
  assert.equal(await count('SELECT count(*) FROM smtp_lines'), sessions * (1 + recipients));
  assert.equal(await count('SELECT count(*) FROM smtp_sessions'), sessions);
  assert.equal(await count('SELECT count(*) FROM smtp_session_recipients'), sessions * recipients);
  assert.equal(await count("SELECT count(*) FROM smtp_sessions WHERE end_reason = 'open' AND recipients_accepted = 160"), sessions);
  assert.equal(await count('SELECT count(*) FROM ingest_files'), 1);
  const issues = (await store.connection.runAndReadAll('SELECT severity, message FROM ingest_issues')).getRows();
  assert.deepEqual(issues, [['warning', 'the reading thread ran out of its 48 MB heap; the file was read again in a thread with the default limits']]);
  await store.close();
});
