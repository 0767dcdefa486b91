// The W3C/space family through the real store: detection, row counts per table, re-ingest adds
// nothing, a grown log adds exactly its new lines (and sessions wholly in them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type Store } from '../../src/store/store.js';
import { ingestPaths } from '../../src/store/ingest.js';
import { runSql } from '../../src/store/sql.js';
import { parseZone } from '../../src/util/timezone.js';
import { tempDir } from '../helpers/cli.js';
import { CORPUS, FIXTURES } from './helpers.js';

async function count(store: Store, table: string): Promise<number> {
  const { rows } = await runSql(store.connection, `SELECT count(*)::INTEGER AS n FROM ${table}`);
  return Number(rows[0].n);
}

test('the corpus samples of this family load with the expected rows per table', async () => {
  const dir = tempDir();
  const store = await openStore(join(dir, 'w3c.duckdb'));
  try {
    const corpus = fileURLToPath(CORPUS);
    const summaries = await ingestPaths(store, [corpus], { tz: parseZone('America/Chicago') });
    const byFile = Object.fromEntries(summaries.map((s) => [s.path.slice(corpus.length), [s.format, s.status, s.records, s.rejected]]));
    assert.deepEqual(byFile, {
      'exchange2000_smtpsvc_ncsa_nc061011.log': ['iis-smtp-ncsa', 'ok', 46, 0],
      'exchange2000_smtpsvc_w3c_ex061009.log': ['iis-smtp-w3c', 'ok', 47, 0],
      'isa2000_firewall_isaformat_excerpt.log': ['isa-format', 'ok', 28, 0],
      'isa2000_ippacketfilter_w3c_excerpt.log': ['isa-w3c', 'ok', 32, 0],
      'isa2000_webproxy_w3c_excerpt.log': ['isa-w3c', 'partial', 86, 1],
      'isa2004_firewall_w3c_excerpt.w3c': ['isa-w3c', 'ok', 33, 0],
      'isa2004_webproxy_w3c_excerpt.w3c': ['isa-w3c', 'ok', 38, 0],
    });
    assert.equal(await count(store, 'smtp_lines'), 77);
    assert.equal(await count(store, 'smtp_sessions'), 16);
    assert.equal(await count(store, 'smtp_session_recipients'), 17);
    assert.equal(await count(store, 'firewall_log'), 217);
    const { rows } = await runSql(
      store.connection,
      "SELECT strftime(start_time, '%Y-%m-%dT%H:%M:%S') AS t, remote_host, end_reason FROM smtp_sessions WHERE direction = 'outbound'",
    );
    assert.deepEqual(rows, [{ t: '2006-10-11T19:16:39', remote_host: 'rly-yi06.mx.aol.com', end_reason: 'completed' }]);

    const again = await ingestPaths(store, [corpus], { tz: parseZone('America/Chicago') });
    assert.deepEqual([...new Set(again.map((s) => s.status))], ['duplicate']);
    assert.equal(await count(store, 'smtp_lines'), 77);
  } finally {
    await store.close();
  }
});

test('a grown IIS W3C log adds exactly the appended lines and the sessions that lie wholly in them', async () => {
  const dir = tempDir();
  const store = await openStore(join(dir, 'grow.duckdb'));
  try {
    const full = readFileSync(new URL('iis-smtp-w3c/ex060314.log', FIXTURES));
    let cut = 0;
    for (let line = 0; line < 34; line++) cut = full.indexOf(0x0a, cut) + 1;
    const path = join(dir, 'ex060314.log');
    writeFileSync(path, full.subarray(0, cut));
    const [first] = await ingestPaths(store, [path]);
    assert.deepEqual([first.status, first.appended, first.rejected], ['partial', false, 1]);
    const linesBefore = await count(store, 'smtp_lines');
    assert.equal(linesBefore, 29);
    assert.equal(await count(store, 'smtp_sessions'), 2);

    appendFileSync(path, full.subarray(cut));
    const [tail] = await ingestPaths(store, [path]);
    assert.deepEqual([tail.status, tail.appended, tail.rejected], ['ok', true, 0]);
    assert.equal(await count(store, 'smtp_lines'), 49);
    const { rows } = await runSql(store.connection, 'SELECT min(line_no)::INTEGER AS lo, max(line_no)::INTEGER AS hi, count(*)::INTEGER AS n FROM smtp_lines WHERE file_id = $id', { id: tail.fileId });
    assert.deepEqual(rows, [{ lo: 35, hi: 54, n: 20 }]);
    const sessions = await runSql(store.connection, 'SELECT session_key, xexch50_outcome FROM smtp_sessions ORDER BY session_key');
    assert.deepEqual(sessions.rows, [
      { session_key: 'in/192.0.2.99/5', xexch50_outcome: null },
      { session_key: 'out/198.51.100.10/1', xexch50_outcome: 'accepted' },
      { session_key: 'out/203.0.113.25/3', xexch50_outcome: 'dropped-after-354' },
      { session_key: 'out/203.0.113.25/4', xexch50_outcome: 'dropped-after-354' },
      { session_key: 'out/203.0.113.7/2', xexch50_outcome: 'refused-504' },
    ]);

    const [none] = await ingestPaths(store, [path]);
    assert.equal(none.status, 'duplicate');
    copyFileSync(path, join(dir, 'copy.log'));
    const [copy] = await ingestPaths(store, [join(dir, 'copy.log')]);
    assert.equal(copy.status, 'duplicate');
    assert.equal(await count(store, 'smtp_lines'), 49);
  } finally {
    await store.close();
  }
});
