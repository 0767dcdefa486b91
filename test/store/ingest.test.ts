import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { openStore, type Store } from '../../src/store/store.js';
import { ingestPaths, loadRecords } from '../../src/store/ingest.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/migrations.js';
import { runSql } from '../../src/store/sql.js';
import { tempDir, REPO } from '../helpers/cli.js';
import { TEST_MAGIC, testLineReader, trackingRow } from '../helpers/line-reader.js';

const readers = [testLineReader];

async function rows(store: Store, sql: string) {
  return (await runSql(store.connection, sql)).rows;
}

function logFile(dir: string, name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, [TEST_MAGIC, ...lines].join('\r\n') + '\r\n');
  return path;
}

test('a new database file is created at the current schema version with every table', async () => {
  const dir = tempDir();
  const store = await openStore(join(dir, 'new.duckdb'));
  assert.deepEqual(await rows(store, 'SELECT max(version) AS v FROM schema_version'), [{ v: SCHEMA_VERSION }]);
  const tables = (await rows(store, "SELECT table_name FROM information_schema.tables WHERE table_schema='main' ORDER BY 1")).map((r) => r.table_name);
  for (const t of ['ingest_files', 'ingest_issues', 'events', 'event_data', 'tracking', 'smtp_lines', 'smtp_sessions', 'queue_snapshots', 'firewall_log']) {
    assert.ok(tables.includes(t), `table ${t} exists`);
  }
  await store.close();
});

test('an older file is migrated on open; a newer one is refused with a clear message', async () => {
  const dir = tempDir();
  const path = join(dir, 'old.duckdb');
  // Build a file at version 1 by hand, as an older edgelog left it.
  const instance = await DuckDBInstance.create(path);
  const connection = await DuckDBConnection.create(instance);
  await connection.run('CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL, description VARCHAR)');
  for (const s of MIGRATIONS[0].statements) await connection.run(s);
  await connection.run("INSERT INTO schema_version VALUES (1, now()::TIMESTAMP, 'v1')");
  connection.closeSync();
  instance.closeSync();

  const store = await openStore(path);
  const versions = (await rows(store, 'SELECT version FROM schema_version ORDER BY 1')).map((r) => r.version);
  assert.deepEqual(versions, MIGRATIONS.map((m) => m.version));
  await store.connection.run(`INSERT INTO schema_version VALUES (${SCHEMA_VERSION + 1}, now()::TIMESTAMP, 'future')`);
  await store.close();

  await assert.rejects(openStore(path), new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this edgelog understands`));
  await assert.rejects(openStore(path, { readOnly: true }), /newer than this edgelog understands/);
});

test('a reader that throws halfway leaves no rows and a failed ledger row; the next run redoes the file', async () => {
  const dir = tempDir();
  const store = await openStore(join(dir, 'db.duckdb'));
  const path = logFile(dir, 'a.log', ['2007-03-05T10:00:00Z\tx@one.example', '2007-03-05T10:00:01Z\ty@one.example', 'BOOM']);
  const [first] = await ingestPaths(store, [path], { readers });
  assert.equal(first.status, 'failed');
  assert.match(first.message ?? '', /reader bug at line 4/);
  assert.deepEqual(await rows(store, 'SELECT count(*) AS n FROM tracking'), [{ n: '0' }]);
  assert.deepEqual(await rows(store, 'SELECT status, records_stored FROM ingest_files'), [{ status: 'failed', records_stored: '0' }]);
  assert.deepEqual(await rows(store, 'SELECT severity, message FROM ingest_issues'), [{ severity: 'error', message: 'ingest failed: reader bug at line 4' }]);

  writeFileSync(path, [TEST_MAGIC, '2007-03-05T10:00:00Z\tx@one.example', '2007-03-05T10:00:01Z\ty@one.example'].join('\n') + '\n');
  const [second] = await ingestPaths(store, [path], { readers });
  assert.equal(second.status, 'ok');
  assert.equal(second.records, 2);
  assert.deepEqual(await rows(store, 'SELECT count(*) AS n FROM tracking'), [{ n: '2' }]);
  await store.close();
});

test('loadRecords rolls back everything when its source fails', async () => {
  const store = await openStore(join(tempDir(), 'db.duckdb'));
  async function* failing() {
    yield trackingRow(1_173_088_800_000_000_000n, 'a@b.example', 1);
    throw new Error('source died');
  }
  const result = await loadRecords(store, 'generated', 'test', failing());
  assert.equal(result.status, 'failed');
  assert.deepEqual(await rows(store, 'SELECT count(*) AS n FROM tracking'), [{ n: '0' }]);
  await store.close();
});

test('a file already ingested is skipped as a duplicate, also under another name', async () => {
  const dir = tempDir();
  const store = await openStore(join(dir, 'db.duckdb'));
  const path = logFile(dir, 'a.log', ['2007-03-05T10:00:00Z\tx@one.example']);
  const copy = join(dir, 'copy.log');
  copyFileSync(path, copy);
  const [first] = await ingestPaths(store, [path], { readers });
  const [again, other] = await ingestPaths(store, [path, copy], { readers });
  assert.equal(first.status, 'ok');
  assert.equal(again.status, 'duplicate');
  assert.equal(again.message, 'already ingested');
  assert.equal(other.status, 'duplicate');
  assert.match(other.message ?? '', /same content as .*a\.log/);
  assert.deepEqual(await rows(store, 'SELECT count(*) AS n FROM tracking'), [{ n: '1' }]);
  assert.deepEqual(await rows(store, 'SELECT count(*) AS n FROM ingest_files'), [{ n: '1' }]);
  await store.close();
});

test('a grown log ingests only its appended lines; an unfinished last line waits for its end', async () => {
  const dir = tempDir();
  const store = await openStore(join(dir, 'db.duckdb'));
  const path = logFile(dir, 'grow.log', ['2007-03-05T10:00:00Z\ta@one.example', '2007-03-05T10:00:01Z\tb@one.example']);
  await ingestPaths(store, [path], { readers });
  appendFileSync(path, '2007-03-05T10:00:02Z\tc@two.example\r\n2007-03-05T10:00:03Z\td@tw');
  const [tail] = await ingestPaths(store, [path], { readers });
  assert.equal(tail.status, 'ok');
  assert.equal(tail.appended, true);
  assert.equal(tail.records, 1);
  appendFileSync(path, 'o.example\r\n');
  const [rest] = await ingestPaths(store, [path], { readers });
  assert.equal(rest.records, 1);
  assert.deepEqual(await rows(store, 'SELECT recipient, line_no FROM tracking ORDER BY line_no'), [
    { recipient: 'a@one.example', line_no: '2' },
    { recipient: 'b@one.example', line_no: '3' },
    { recipient: 'c@two.example', line_no: '4' },
    { recipient: 'd@two.example', line_no: '5' },
  ]);
  assert.deepEqual(await rows(store, 'SELECT start_offset > 0 AS tail, records_stored FROM ingest_files ORDER BY file_id'), [
    { tail: false, records_stored: '2' },
    { tail: true, records_stored: '1' },
    { tail: true, records_stored: '1' },
  ]);
  const [none] = await ingestPaths(store, [path], { readers });
  assert.equal(none.status, 'duplicate');
  await store.close();
});

test('malformed lines are rejected with their line numbers; the rest loads and the file is partial', async () => {
  const dir = tempDir();
  const store = await openStore(join(dir, 'db.duckdb'));
  const path = logFile(dir, 'bad.log', ['2007-03-05T10:00:00Z\ta@one.example', 'garbage here', '2007-03-05T10:00:09Z\tb@one.example']);
  const [s] = await ingestPaths(store, [path], { readers });
  assert.equal(s.status, 'partial');
  assert.equal(s.records, 2);
  assert.equal(s.rejected, 1);
  assert.deepEqual(await rows(store, 'SELECT line_no, byte_offset, severity FROM ingest_issues'), [{ line_no: '3', byte_offset: '49', severity: 'error' }]);
  assert.deepEqual(await rows(store, 'SELECT first_time, last_time, time_rule FROM ingest_files'), [
    { first_time: '2007-03-05 10:00:00', last_time: '2007-03-05 10:00:09', time_rule: 'UTC as logged' },
  ]);
  await store.close();
});

test('kill -9 in the middle of a file leaves no rows of it and a ledger row saying so; the next run completes', async () => {
  const dir = tempDir();
  const db = join(dir, 'db.duckdb');
  const lines = Array.from({ length: 500 }, (_, i) => `2007-03-05T10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z\tr${i}@one.example`);
  const path = logFile(dir, 'slow.log', [...lines, 'SLOW']);
  const script = join(REPO, 'test/helpers/ingest-child.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, db, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.on('data', (d) => String(d).includes('reading') && resolve()));
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('close', r));

  const store = await openStore(db);
  assert.deepEqual(await rows(store, 'SELECT count(*) AS n FROM tracking'), [{ n: '0' }]);
  const ledger = await rows(store, 'SELECT status, message FROM ingest_files');
  assert.equal(ledger.length, 1);
  assert.equal(ledger[0].status, 'failed');
  assert.match(String(ledger[0].message), /interrupted/);
  writeFileSync(path, [TEST_MAGIC, ...lines].join('\n') + '\n');
  const [s] = await ingestPaths(store, [path], { readers });
  assert.equal(s.status, 'ok');
  assert.equal(s.records, 500);
  assert.deepEqual(await rows(store, 'SELECT count(*) AS n, count(DISTINCT recipient) AS d FROM tracking'), [{ n: '500', d: '500' }]);
  await store.close();
});
