// The CSV/TAB readers through the real store: counts per table, rejects with line numbers in
// ingest_issues, the time rule in the ledger, re-ingest adds nothing, an appended tail adds exactly
// its lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type Store } from '../../src/store/store.js';
import { ingestPaths } from '../../src/store/ingest.js';
import { runSql } from '../../src/store/sql.js';
import { parseZone } from '../../src/util/timezone.js';
import { tempDir, CORPUS } from '../helpers/cli.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/text/', import.meta.url));

async function rows(store: Store, sql: string) {
  return (await runSql(store.connection, sql)).rows;
}

function copyInputs(dir: string): Record<string, string> {
  const files: Record<string, string> = {
    tracking2003: 'tracking2003/20060314.log',
    msgtrk: 'msgtrk/MSGTRK20090601-1.LOG',
    send: 'smtp2007/SEND20090601-1.LOG',
    getMessage: 'queue/get-message.csv',
  };
  const out: Record<string, string> = {};
  mkdirSync(join(dir, 'in'));
  for (const [key, rel] of Object.entries(files)) {
    out[key] = join(dir, 'in', rel.replace('/', '-'));
    copyFileSync(join(FIXTURES, rel), out[key]);
  }
  out.real = join(dir, 'in', 'exchange2010_msgtrk_bom8.log');
  copyFileSync(join(CORPUS, 'exchange/elastic-beats/exchange2010_msgtrk_bom8.log'), out.real);
  return out;
}

test('ingest: CSV/TAB fixtures and the real MSGTRK sample land in their tables; re-ingest adds nothing; tails add their lines', async () => {
  const dir = tempDir();
  const inputs = copyInputs(dir);
  const store = await openStore(join(dir, 'db.duckdb'));
  try {
    const summaries = await ingestPaths(store, [join(dir, 'in')], { tz: parseZone('America/New_York') });
    const byFile = Object.fromEntries(summaries.map((s) => [s.path.split('/').pop(), [s.format, s.status, s.records, s.rejected]]));
    assert.deepEqual(byFile, {
      'exchange2010_msgtrk_bom8.log': ['exchange2007-tracking', 'ok', 2, 0],
      'msgtrk-MSGTRK20090601-1.LOG': ['exchange2007-tracking', 'partial', 7, 1],
      'queue-get-message.csv': ['queue-export', 'ok', 2, 0],
      'smtp2007-SEND20090601-1.LOG': ['exchange2007-smtp', 'partial', 56 + 3, 1],
      'tracking2003-20060314.log': ['exchange2003-tracking', 'partial', 8, 1],
    });
    assert.deepEqual(await rows(store, `SELECT
        (SELECT count(*) FROM tracking) AS tracking, (SELECT count(*) FROM smtp_lines) AS lines,
        (SELECT count(*) FROM smtp_sessions) AS sessions, (SELECT count(*) FROM queue_messages) AS messages`),
      [{ tracking: '17', lines: '56', sessions: '3', messages: '2' }]);
    assert.deepEqual(
      await rows(store, `SELECT f.format, i.line_no, i.severity FROM ingest_issues i JOIN ingest_files f USING (file_id)
                         WHERE i.severity = 'error' ORDER BY f.format, i.line_no`),
      [
        { format: 'exchange2003-tracking', line_no: '8', severity: 'error' },
        { format: 'exchange2007-smtp', line_no: '32', severity: 'error' },
        { format: 'exchange2007-tracking', line_no: '8', severity: 'error' },
      ],
    );
    assert.deepEqual(
      await rows(store, `SELECT strftime(time, '%Y-%m-%dT%H:%M:%S.%g') AS t, raw_event, recipient_domain, dsn_code
                         FROM tracking WHERE raw_event = 'FAIL'`),
      [{ t: '2009-06-03T08:20:00.000', raw_event: 'FAIL', recipient_domain: 'partner.example', dsn_code: '4.4.7' }],
    );
    assert.deepEqual(
      await rows(store, `SELECT session_key, xexch50_outcome FROM smtp_sessions ORDER BY session_key`),
      [
        { session_key: '08CB7A1F000000A1', xexch50_outcome: 'accepted' },
        { session_key: '08CB7A1F000000B2', xexch50_outcome: 'refused-504' },
        { session_key: '08CB7A1F000000C3', xexch50_outcome: 'dropped-after-354' },
      ],
    );
    const rules = await rows(store, `SELECT format, time_rule FROM ingest_files WHERE format = 'queue-export'`);
    assert.match(String(rules[0].time_rule), /zone America\/New_York \(--tz\)/);

    const again = await ingestPaths(store, [join(dir, 'in')], { tz: parseZone('America/New_York') });
    assert.deepEqual(again.map((s) => s.status), ['duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);

    appendFileSync(inputs.tracking2003, '2006-3-17\t1:2:3 GMT\t10.1.1.20\tEXCH01\tEXCH01\t-\t10.1.1.20\tzed@tail.example\t1019\t<t1@x>\t0\t-\t10\t1\t-\t0\tv\t-\tz@contoso.com\n');
    appendFileSync(
      inputs.send,
      [
        '2009-06-01T08:01:00.000Z,08CB7A1F000000E5,Internet,0,10.1.1.30:24003,203.0.113.25:25,+,,',
        '2009-06-01T08:01:01.000Z,08CB7A1F000000E5,Internet,1,10.1.1.30:24003,203.0.113.25:25,<,421 4.4.2 Connection dropped,',
        '2009-06-01T08:01:02.000Z,08CB7A1F000000E5,Internet,2,10.1.1.30:24003,203.0.113.25:25,-,,Remote',
        '',
      ].join('\r\n'),
    );
    const tail = await ingestPaths(store, [inputs.tracking2003, inputs.send]);
    assert.deepEqual(tail.map((s) => [s.status, s.appended, s.records, s.rejected]), [['ok', true, 1, 0], ['ok', true, 3 + 1, 0]]);
    assert.deepEqual(await rows(store, `SELECT recipient_domain, strftime(time, '%Y-%m-%dT%H:%M:%S') AS t FROM tracking WHERE recipient_domain = 'tail.example'`),
      [{ recipient_domain: 'tail.example', t: '2006-03-17T01:02:03' }]);
    assert.deepEqual(await rows(store, `SELECT count(*) AS n FROM smtp_lines`), [{ n: '59' }]);
    assert.deepEqual(await rows(store, `SELECT session_key, end_reason FROM smtp_sessions WHERE session_key = '08CB7A1F000000E5'`),
      [{ session_key: '08CB7A1F000000E5', end_reason: 'refused' }]);
  } finally {
    await store.close();
  }
});
