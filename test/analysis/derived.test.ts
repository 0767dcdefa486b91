// The derived tables (src/analysis/derived) kept up to date ingest run by ingest run equal the ones
// rebuilt from scratch: whatever order the scenario's files arrive in, with a log that grows (its
// appended tail is a file of its own, whose messages began in the first part); a file that fails
// halfway changes none of them; files left pending by a run killed before it took them in are
// taken in by the next open, even a read-only one; a take-in that runs out of memory under its
// limit is run again under a higher one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openStore } from '../../src/store/store.js';
import { ingestPaths, loadRecords } from '../../src/store/ingest.js';
import { runSql } from '../../src/store/sql.js';
import { changeSettings } from '../../src/store/settings.js';
import { parseZone } from '../../src/util/timezone.js';
import { DERIVED_TABLES, rebuildDerived, refreshDerived } from '../../src/analysis/derived/maintain.js';
import type { StoredRecord } from '../../src/store/records.js';
import { REPO, tempDir } from '../helpers/cli.js';

const tz = parseZone('America/New_York');

/** Every derived table's rows, each as sorted JSON (row order is no property of a table). */
async function snapshot(connection: DuckDBConnection): Promise<Record<string, string[]>> {
  const tables: Record<string, string[]> = {};
  for (const table of DERIVED_TABLES) {
    const { rows } = await runSql(connection, `SELECT * FROM ${table.name}`);
    tables[table.name] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return tables;
}

async function assertEqualsRebuild(connection: DuckDBConnection): Promise<Record<string, string[]>> {
  const incremental = await snapshot(connection);
  await connection.run('BEGIN TRANSACTION');
  await rebuildDerived(connection, Infinity); // in one piece
  await connection.run('COMMIT');
  const rebuilt = await snapshot(connection);
  for (const table of DERIVED_TABLES) {
    assert.deepEqual(incremental[table.name], rebuilt[table.name], `${table.name}: maintained per file = rebuilt`);
  }
  return rebuilt;
}

test('file by file, firewall before sender and a log growing in two parts: the derived tables equal a rebuild', async () => {
  const dir = tempDir();
  const scenario = join(dir, 'scenario');
  cpSync(join(REPO, 'fixtures/scenario'), scenario, { recursive: true });
  // The first day's 2003 tracking log arrives in two parts: its messages go on in the tail.
  const log = join(scenario, 'EXCH01/EXCH01.log/20070308.log');
  const lines = readFileSync(log, 'latin1').split(/(?<=\n)/);
  const cut = Math.floor(lines.length / 2);
  writeFileSync(log, lines.slice(0, cut).join(''), 'latin1');

  const store = await openStore(join(dir, 'db.duckdb'));
  try {
    const order = ['ISA2K-GW', 'ISA06-EDGE', 'EXCH01', 'HUB01'];
    assert.deepEqual([...order].sort(), readdirSync(scenario).filter((f) => !f.includes('.')).sort());
    for (const folder of order) await ingestPaths(store, [join(scenario, folder)], { tz });
    appendFileSync(log, lines.slice(cut).join(''), 'latin1');
    const [tail] = await ingestPaths(store, [log], { tz });
    assert.equal(tail.appended, true, 'the grown log loads its tail only');

    const tables = await assertEqualsRebuild(store.connection);
    for (const name of ['mail_pairs', 'mail_domain_months', 'outbound_sessions', 'xexch50_candidates', 'session_domain_stats', 'event_log_ranges']) {
      assert.ok(tables[name].length > 0, `${name} has rows`);
    }
    const { rows } = await runSql(store.connection, 'SELECT count(*) AS n FROM mail_pairs WHERE first_time IS NOT NULL');
    assert.ok(Number(rows[0].n) > 1000);

    // Rebuilt a slice of the keys at a time (as a big store is, to bound memory): the same tables.
    const { rows: records } = await runSql(store.connection, "SELECT sum(records_stored)::BIGINT AS n FROM ingest_files WHERE status IN ('ok', 'partial')");
    const sliceRecords = Math.ceil(Number(records[0].n) / 7);
    await store.connection.run('BEGIN TRANSACTION');
    await rebuildDerived(store.connection, sliceRecords);
    await store.connection.run('COMMIT');
    assert.deepEqual(await snapshot(store.connection), tables, 'rebuilt in 7 key slices = rebuilt whole');
  } finally {
    await store.close();
  }
});

test('a take-in that runs out of memory under its limit is run again under a higher one; a limit DuckDB refuses leaves no setting changed', async () => {
  const dir = tempDir();
  const store = await openStore(join(dir, 'db.duckdb'));
  const setting = async (name: string) => (await runSql(store.connection, `SELECT current_setting('${name}') AS v`)).rows[0].v;
  try {
    const scenario = join(REPO, 'fixtures/scenario');
    await ingestPaths(store, [join(scenario, 'EXCH01'), join(scenario, 'ISA06-EDGE')], { tz, derive: false });
    const before = { memory: await setting('memory_limit'), threads: await setting('threads') };
    // Below the memory DuckDB holds, SET memory_limit fails, yet DuckDB reports the new value:
    // both settings must be back as they were.
    await assert.rejects(changeSettings(store.connection, { threads: '1', memory_limit: '1MiB' }), /Out of Memory/);
    assert.deepEqual({ memory: await setting('memory_limit'), threads: await setting('threads') }, before);
    // Under 8 MiB the take-in itself runs out of memory ("failed to allocate"); rolled back, it is
    // run again under the retry limit and takes every file in.
    const taken = await refreshDerived(store.connection, '8MiB');
    assert.ok(taken > 10, `${taken} files taken in`);
    assert.equal(await setting('memory_limit'), before.memory);
    assert.equal(Number((await runSql(store.connection, 'SELECT count(*) AS n FROM derived_pending')).rows[0].n), 0);
    const tables = await assertEqualsRebuild(store.connection);
    assert.deepEqual([tables.mail_pairs.length, tables.outbound_sessions.length], [926, 1856]);
  } finally {
    await store.close();
  }
});

test('files left pending (a run killed between its loads and the take-in) are taken in when the store is next opened read-only', async () => {
  const dir = tempDir();
  const folders = ['ISA06-EDGE', 'EXCH01'].map((f) => join(REPO, 'fixtures/scenario', f));
  // The same first folder in both stores gives the same file ids.
  const before = join(dir, 'before.duckdb');
  const done = join(dir, 'done.duckdb');
  for (const [db, inputs] of [[before, folders.slice(0, 1)], [done, folders]] as const) {
    const store = await openStore(db);
    for (const input of inputs) await ingestPaths(store, [input], { tz });
    await store.close();
  }
  // `done` gets the derived tables as they stood before the second folder, and that folder's files pending.
  const store = await openStore(done);
  const { connection } = store;
  await connection.run(`ATTACH '${before}' AS before (READ_ONLY)`);
  await connection.run('BEGIN TRANSACTION');
  for (const table of DERIVED_TABLES) {
    await connection.run(`DELETE FROM ${table.name}`);
    await connection.run(`INSERT INTO ${table.name} SELECT * FROM before.${table.name}`);
  }
  await connection.run(`INSERT INTO derived_pending SELECT file_id FROM ingest_files WHERE file_id NOT IN (SELECT file_id FROM before.ingest_files)`);
  await connection.run('COMMIT');
  await connection.run('DETACH before');
  const { rows: pending } = await runSql(connection, 'SELECT count(*) AS n FROM derived_pending');
  assert.ok(Number(pending[0].n) > 5, 'the second folder is pending');
  const { rows: lagging } = await runSql(connection, "SELECT count(*) AS n FROM outbound_sessions WHERE server = 'EXCH01'");
  assert.equal(Number(lagging[0].n), 0, 'the derived tables lack the pending files');
  await store.close();

  const reader = await openStore(done, { readOnly: true });
  let caughtUp;
  try {
    const { rows } = await runSql(reader.connection, 'SELECT count(*) AS n FROM derived_pending');
    assert.equal(Number(rows[0].n), 0);
    const { rows: sessions } = await runSql(reader.connection, "SELECT count(*) AS n FROM outbound_sessions WHERE server = 'EXCH01'");
    assert.ok(Number(sessions[0].n) > 0);
    caughtUp = await snapshot(reader.connection);
  } finally {
    await reader.close();
  }
  const writer = await openStore(done);
  try {
    assert.deepEqual(caughtUp, await assertEqualsRebuild(writer.connection));
  } finally {
    await writer.close();
  }
});

test('a file that fails halfway leaves every derived table as it was', async () => {
  const dir = tempDir();
  const store = await openStore(join(dir, 'db.duckdb'));
  try {
    await ingestPaths(store, [join(REPO, 'fixtures/scenario/HUB01/MessageTracking')], { tz });
    const before = await snapshot(store.connection);
    const { rows } = await runSql(store.connection, 'SELECT * EXCLUDE (file_id, seq) FROM tracking LIMIT 50');
    // Rows of messages already in the store: their pairs and day sums would be recomputed.
    async function* failing(): AsyncIterable<StoredRecord> {
      for (const row of rows) yield { ...row, table: 'tracking', time: null, line_no: null, size_bytes: null, recipient_count: null } as StoredRecord;
      throw new Error('source died');
    }
    const result = await loadRecords(store, 'failing', 'test', failing());
    assert.equal(result.status, 'failed');
    assert.deepEqual(await snapshot(store.connection), before);
  } finally {
    await store.close();
  }
});
