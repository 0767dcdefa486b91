// The derived tables (src/analysis/derived) kept up to date file by file equal the ones rebuilt
// from scratch: whatever order the scenario's files arrive in, with a log that grows (its appended
// tail is a file of its own, whose messages began in the first part), and a file that fails
// halfway changes none of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openStore } from '../../src/store/store.js';
import { ingestPaths, loadRecords } from '../../src/store/ingest.js';
import { runSql } from '../../src/store/sql.js';
import { parseZone } from '../../src/util/timezone.js';
import { DERIVED_TABLES, rebuildDerived } from '../../src/analysis/derived/maintain.js';
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
  await rebuildDerived(connection);
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
  } finally {
    await store.close();
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
