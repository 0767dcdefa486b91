import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { runCli, tempDir, REPO } from '../helpers/cli.js';

async function freshDb(): Promise<string> {
  const db = join(tempDir(), 'db.duckdb');
  const r = await runCli(['--db', db, 'ingest', join(REPO, 'package.json')]);
  assert.equal(r.code, 2, 'package.json is no log format: explicit unrecognised file is exit 2');
  return db;
}

const SQL = `SELECT 1 AS n, 'a,b' AS s, NULL AS z, TIMESTAMP '2007-03-05 10:00:00.123456' AS t, 12345678901234::BIGINT AS big`;

test('query prints every output format', async () => {
  const db = await freshDb();
  const out = async (format: string) => {
    const r = await runCli(['--db', db, 'query', SQL, '--format', format]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  assert.equal(await out('csv'), 'n,s,z,t,big\r\n1,"a,b",,2007-03-05 10:00:00.123456,12345678901234\r\n');
  assert.deepEqual(JSON.parse(await out('json')), [{ n: 1, s: 'a,b', z: null, t: '2007-03-05 10:00:00.123456', big: '12345678901234' }]);
  assert.equal(await out('jsonl'), '{"n":1,"s":"a,b","z":null,"t":"2007-03-05 10:00:00.123456","big":"12345678901234"}\n');
  assert.equal(await out('md'), '| n | s | z | t | big |\n| --- | --- | --- | --- | --- |\n| 1 | a,b |  | 2007-03-05 10:00:00.123456 | 12345678901234 |\n');
  const table = await out('table');
  assert.match(table, /│ n │ s +│ z │ t +│ big +│/);
  assert.match(table, /│ 1 │ a,b │ +│ 2007-03-05 10:00:00\.123456 │ 12345678901234 │/);
  assert.match(table, /\n1 row\n$/);
  const bad = await runCli(['--db', db, 'query', 'SELECT 1', '--format', 'xml']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'error: --format xml: expected one of table, csv, json, jsonl, md\n');
});

test('CSV output neutralises cells that a spreadsheet would run as formulas', async () => {
  const db = await freshDb();
  const r = await runCli(['--db', db, 'query', `SELECT '=HYPERLINK("x")' AS a, '+1' AS b, '-cmd' AS c, '@SUM(A1)' AS d, '-5' AS e, 'plain' AS f`, '--format', 'csv']);
  assert.equal(r.stdout, `a,b,c,d,e,f\r\n"'=HYPERLINK(""x"")",'+1,'-cmd,'@SUM(A1),-5,plain\r\n`);
});

test('query opens the store read-only and refuses writes; bad SQL is one clear line', async () => {
  const db = await freshDb();
  const write = await runCli(['--db', db, 'query', 'DELETE FROM ingest_files']);
  assert.equal(write.code, 2);
  assert.match(write.stderr, /^error: query: the store is opened read-only for queries; statements that write are refused\n$/);
  const bad = await runCli(['--db', db, 'query', 'SELEC nonsense']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^error: query: Parser Error: syntax error at or near "SELEC"\n$/);
  assert.doesNotMatch(bad.stderr, /at .*\.js:\d+/);
  const sqlFile = join(tempDir(), 'q.sql');
  writeFileSync(sqlFile, 'SELECT 41 + 1 AS answer;');
  const fromFile = await runCli(['--db', db, 'query', '-f', sqlFile, '--format', 'csv']);
  assert.equal(fromFile.stdout, 'answer\r\n42\r\n');
});

test('a report parameter containing quotes and SQL is bound, never spliced', async () => {
  const db = await freshDb();
  const dir = tempDir();
  writeFileSync(
    join(dir, 'echo.sql'),
    ['-- name: echo', '-- title: Echo', '-- description: Returns its parameter.', '-- param: who VARCHAR The value to echo', 'SELECT $who AS who, (SELECT count(*) FROM ingest_files) AS files;'].join('\n'),
  );
  const evil = "O'Brien'); DROP TABLE ingest_files; --";
  const r = await runCli(['--db', db, 'report', 'echo', '--reports-dir', dir, '--param', `who=${evil}`, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [{ who: evil, files: '0' }]);
  const list = await runCli(['reports', '--reports-dir', dir, '--format', 'csv']);
  assert.match(list.stdout, /\r\necho,Returns its parameter\.,who:VARCHAR\r\n/);
  const missing = await runCli(['--db', db, 'report', 'echo', '--reports-dir', dir]);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, 'error: report echo needs --param who=VARCHAR (The value to echo)\n');
  const unknown = await runCli(['--db', db, 'report', 'echo', '--reports-dir', dir, '--param', 'who=x', '--param', 'bogus=1']);
  assert.equal(unknown.stderr, 'error: report echo has no parameter "bogus" (parameters: who)\n');
});

test('the ingest-health report shows each file with its status', async () => {
  const db = await freshDb();
  const r = await runCli(['--db', db, 'report', 'ingest-health', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), []);
  const bad = await runCli(['--db', db, 'report', 'ingest-health', '--since', 'yesterday']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'error: report ingest-health: parameter since="yesterday" is not a valid TIMESTAMP\n');
});

test('exit codes and messages for usage errors, missing and unrecognised files', async () => {
  const dir = tempDir();
  const db = join(dir, 'db.duckdb');
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: edgelog/);
  const version = await runCli(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  const badOption = await runCli(['--db', db, 'status', '--frobnicate']);
  assert.equal(badOption.code, 2);
  assert.match(badOption.stderr, /^error: unknown option '--frobnicate'/);
  const badCommand = await runCli(['frobnicate']);
  assert.equal(badCommand.code, 2);
  assert.match(badCommand.stderr, /unknown command 'frobnicate'/);
  const missing = await runCli(['--db', db, 'ingest', join(dir, 'nope.log'), '--format', 'csv']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /error: .*nope\.log: no such file or directory/);
  const badTz = await runCli(['--db', db, 'ingest', dir, '--tz', 'Mars/Olympus']);
  assert.equal(badTz.code, 2);
  assert.equal(badTz.stderr, 'error: --tz Mars/Olympus: not an IANA time zone name (e.g. America/New_York) or offset (e.g. -05:00)\n');
  const noDb = await runCli(['--db', join(dir, 'absent.duckdb'), 'query', 'SELECT 1']);
  assert.equal(noDb.code, 2);
  assert.match(noDb.stderr, /no database at .*absent\.duckdb/);
});

test('inside a folder, files of no known format are skipped with a notice and exit 0', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'logs'));
  writeFileSync(join(dir, 'logs', 'notes.txt'), 'just some notes\n');
  const r = await runCli(['--db', join(dir, 'db.duckdb'), 'ingest', join(dir, 'logs'), '--format', 'csv']);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /skipped .*notes\.txt: not a format edgelog reads/);
  assert.equal(r.stdout, 'file,format,status,records,rejected,issues,note\r\n');
});

test('EDGELOG_DB chooses the store; a second writer gets a clear "in use" error', async () => {
  const dir = tempDir();
  const db = join(dir, 'env.duckdb');
  const status = await runCli(['ingest', dir], { env: { EDGELOG_DB: db } });
  assert.equal(status.code, 0, status.stderr);
  const holder = spawn(process.execPath, ['--import', 'tsx', '-e', `
    const { openStore } = await import(${JSON.stringify(join(REPO, 'src/store/store.ts'))});
    const s = await openStore(${JSON.stringify(db)});
    console.log('holding');
    setTimeout(() => s.close(), 20000);
  `], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => holder.stdout.on('data', (d) => String(d).includes('holding') && resolve()));
  const second = await runCli(['--db', db, 'ingest', dir]);
  holder.kill('SIGKILL');
  assert.equal(second.code, 2);
  assert.equal(second.stderr, `error: database ${db} is in use by another edgelog process\n`);
});

test('TIMESTAMP report parameters take ISO times or durations back from now', async () => {
  const db = await freshDb();
  const dir = tempDir();
  writeFileSync(
    join(dir, 'when.sql'),
    ['-- name: when', '-- title: When', '-- description: Returns its time parameter.', '-- param: since TIMESTAMP The time', 'SELECT $since AS since;'].join('\n'),
  );
  const iso = await runCli(['--db', db, 'report', 'when', '--reports-dir', dir, '--since', '2007-03-11T02:30:00-05:00', '--format', 'json']);
  assert.deepEqual(JSON.parse(iso.stdout), [{ since: '2007-03-11 07:30:00' }]);
  const before = Date.now();
  const relative = await runCli(['--db', db, 'report', 'when', '--reports-dir', dir, '--since', '2d', '--format', 'json']);
  const got = Date.parse(`${JSON.parse(relative.stdout)[0].since.replace(' ', 'T')}Z`);
  const expected = before - 2 * 86_400_000;
  assert.ok(Math.abs(got - expected) < 120_000, `2d back from now: got ${new Date(got).toISOString()}`);
});

test('ingest --defer-derived loads only; the next command, even a read-only query, takes the files into the derived tables', async () => {
  const db = join(tempDir(), 'db.duckdb');
  const load = await runCli(['--db', db, 'ingest', '--defer-derived', '--tz', 'America/New_York', join(REPO, 'fixtures/scenario/HUB01')]);
  assert.equal(load.code, 0, load.stderr);
  // Looked at without edgelog (whose every open catches up): the files wait, the derived tables are empty.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  const waiting = (await connection.runAndReadAll('SELECT (SELECT count(*) FROM derived_pending) AS pending, (SELECT count(*) FROM mail_pairs) AS pairs')).getRowObjectsJson();
  const files = (await connection.runAndReadAll("SELECT count(*) AS n FROM ingest_files WHERE status = 'ok'")).getRowObjectsJson();
  connection.closeSync();
  instance.closeSync();
  assert.ok(Number(files[0].n) > 1);
  assert.deepEqual(waiting, [{ pending: files[0].n, pairs: '0' }]);

  const r = await runCli(['--db', db, 'query', 'SELECT (SELECT count(*) FROM derived_pending) AS pending, (SELECT count(*) FROM mail_pairs) > 100 AS pairs', '--format', 'csv']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'pending,pairs\r\n0,true\r\n');
});
