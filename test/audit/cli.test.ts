// `edgelog audit` as a command: usage mistakes exit 2 with one clear line and write nothing;
// --fail-on decides between 0 and 1; a configured folder that is missing is reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, runCli, tempDir } from '../helpers/cli.js';

test('usage mistakes exit 2 with the reason and leave no database or report', async () => {
  const dir = tempDir();
  const db = join(dir, 'e.duckdb');
  const none = await runCli(['--db', db, 'audit'], { cwd: dir });
  assert.deepEqual([none.code, none.stderr], [2, 'error: nothing to audit: give folders in --config or PATH arguments\n']);
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ folders: [{ path: 'x', tz: 'Nowhere/Land' }] }));
  const bad = await runCli(['--db', db, 'audit', '--config', join(dir, 'bad.json')], { cwd: dir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, new RegExp(`^error: ${join(dir, 'bad.json')}: folders\\[0\\]\\.tz: --tz Nowhere/Land: not an IANA time zone name`));
  const failOn = await runCli(['--db', db, 'audit', dir, '--fail-on', 'severe'], { cwd: dir });
  assert.deepEqual([failOn.code, failOn.stderr], [2, 'error: --fail-on severe: expected one of low, medium, high\n']);
  const since = await runCli(['--db', db, 'audit', dir, '--since', 'yesterday'], { cwd: dir });
  assert.equal(since.code, 2);
  assert.match(since.stderr, /^error: --since: "yesterday" is neither a duration back from now/);
  assert.equal(existsSync(db), false);
  assert.equal(existsSync(join(dir, 'edgelog-reports')), false);
});

test('--fail-on high lets a low-confidence finding pass (exit 0); a missing folder is an ingest problem', async () => {
  const dir = tempDir();
  const db = join(dir, 'e.duckdb');
  const smtp = join(REPO, 'fixtures/text/smtp2007');
  const strict = await runCli(['--db', db, 'audit', smtp, join(dir, 'not-there')], { cwd: dir });
  assert.equal(strict.code, 1, strict.stderr);
  assert.match(strict.stdout, /^audit run 1: 1 new, 0 ongoing, 0 resolved; exit 1 \(fail-on low\)\n  new      xexch50-blocked    low    northwind\.example\n/);
  assert.match(strict.stdout, new RegExp(`\\n  ingest missing: ${join(dir, 'not-there')} \\(ENOENT`));
  const lenient = await runCli(['--db', db, 'audit', smtp, '--fail-on', 'high'], { cwd: dir });
  assert.equal(lenient.code, 0, lenient.stderr);
  assert.match(lenient.stdout, /^audit run 2: 0 new, 1 ongoing, 0 resolved; exit 0 \(fail-on high\)\n/);
  const report = /^report: (.+)$/m.exec(lenient.stdout)![1];
  assert.equal(report, join(dir, 'edgelog-reports', report.split('/').at(-1)!));
  const json = JSON.parse(readFileSync(join(report, 'findings.json'), 'utf8'));
  assert.equal(json.exit_code, 0);
  assert.equal(json.fail_on, 'high');
});
