// `edgelog dump` through the built CLI: JSONL keys and values, Windows-style XML, problems on
// stderr with file and byte offset, exit codes 0 / 1 / 2, --recover.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { CORPUS } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'edgelog-dump-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const KEYS = [
  'record_id', 'time_created', 'provider', 'provider_guid', 'event_id', 'qualifiers', 'version', 'level', 'task', 'opcode',
  'keywords', 'channel', 'computer', 'user_sid', 'process_id', 'thread_id', 'data', 'binary', 'recovered',
];

test('dump JSONL: the MSSQL 18456 record as evtx-format.md 11.3 decodes it', async () => {
  const { code, stdout, stderr } = await runCli(['dump', CORPUS + 'classic-MSSQL-18456-Application.evtx']);
  assert.equal(code, 0);
  assert.equal(stderr, '');
  const lines = stdout.trimEnd().split('\n');
  assert.equal(lines.length, 10);
  const first = JSON.parse(lines[0]) as Record<string, unknown>;
  assert.deepEqual(Object.keys(first), KEYS);
  assert.deepEqual(first, {
    record_id: 13026,
    time_created: '2019-11-04T13:46:01.1713393Z',
    provider: 'MSSQLSERVER',
    provider_guid: null,
    event_id: 18456,
    qualifiers: 49152,
    version: null,
    level: 0,
    task: 4,
    opcode: null,
    keywords: '0x90000000000000',
    channel: 'Application',
    computer: 'MSEDGEWIN10',
    user_sid: null,
    process_id: null,
    thread_id: null,
    data: [
      { name: null, value: 'sa' },
      { name: null, value: ' Reason: Password did not match that for the login provided.' },
      { name: null, value: ' [CLIENT: 10.0.2.17]' },
    ],
    binary: '184800000e0000000c0000004d0053004500440047004500570049004e00310030000000070000006d00610073007400650072000000',
    recovered: false,
  });
});

test('dump XML: one <Event> per record inside <Events>, as Windows writes it', async () => {
  const { code, stdout } = await runCli(['dump', '--format', 'xml', CORPUS + 'win11-System.evtx']);
  assert.equal(code, 0);
  const lines = stdout.trimEnd().split('\n');
  assert.equal(lines[0], '<?xml version="1.0" encoding="utf-8" standalone="yes"?>');
  assert.equal(lines[1], '<Events>');
  assert.equal(lines[lines.length - 1], '</Events>');
  const events = stdout.match(/<Event xmlns=/g) ?? [];
  assert.equal(events.length, 1247);
  // The newest record, compared with win11-System.windows.xml (RenderingInfo removed).
  const windows = readFileSync(CORPUS + 'win11-System.windows.xml', 'utf8');
  const expected = /<Event xmlns=.*?<\/Event>/s.exec(windows)![0].replace(/<RenderingInfo.*?<\/RenderingInfo>/s, '');
  assert.ok(stdout.includes(expected));
});

test('dump of a damaged file: records skipped → exit 1, one stderr line per problem with its offset', async () => {
  const path = CORPUS + 'dirty-bad-chunk-magic.evtx';
  const { code, stdout, stderr } = await runCli(['dump', path]);
  assert.equal(code, 1);
  assert.equal(stdout.trimEnd().split('\n').length, 267);
  const problems = stderr.trimEnd().split('\n');
  for (const line of problems) assert.match(line, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: offset \\d+: (info|warning|error): .+`));
  assert.ok(problems.some((l) => l.includes(': offset 12224: error: ')));
  assert.ok(problems.some((l) => l.includes(': offset 397312: warning: no chunk signature')));
});

test('dump --recover: carved records follow, flagged recovered', async () => {
  const { code, stdout } = await runCli(['dump', '--recover', CORPUS + 'dirty-zero-data-size-event.evtx']);
  assert.equal(code, 1);
  const records = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { record_id: number; recovered: boolean });
  assert.equal(records.length, 335 + 114);
  assert.equal(records.filter((r) => r.recovered).length, 114);
  assert.equal(new Set(records.map((r) => r.record_id)).size, records.length);
});

test('dump exit 2: unknown format, missing file, EVTX cut inside its header', async () => {
  const text = join(scratch, 'notes.txt');
  writeFileSync(text, 'not an event log\n');
  const cut = join(scratch, 'cut.evtx');
  writeFileSync(cut, readFileSync(CORPUS + 'win11-Application.evtx').subarray(0, 2000));
  for (const path of [text, join(scratch, 'missing.evtx'), cut]) {
    const { code, stdout, stderr } = await runCli(['dump', path]);
    assert.equal(code, 2, path);
    assert.equal(stdout, '');
    assert.ok(stderr.startsWith(`${path}: `), stderr);
  }
  // Several files: the worst outcome decides, the readable ones are still dumped.
  const both = await runCli(['dump', text, CORPUS + 'exchange-MSExchangeCmdletLogs-ID6.evtx']);
  assert.equal(both.code, 2);
  assert.equal(both.stdout.trimEnd().split('\n').length, 4);
});
