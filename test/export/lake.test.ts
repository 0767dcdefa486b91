// Export to Parquet and read back as a lake: every table has the same rows and column types as in
// the store, the files sit in Hive partitions by source kind and day, an incremental export
// rewrites only the days from --since on, and the canned reports give the same rows either way
// (also those that read the derived tables, which a lake computes as views).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { runAudit } from '../../src/audit/run.js';
import { exportParquet } from '../../src/export/parquet.js';
import { openLake } from '../../src/export/lake.js';
import { bindParams, listReports } from '../../src/reports/catalog.js';
import { runSql } from '../../src/store/sql.js';
import { openStore } from '../../src/store/store.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { tempDir } from '../helpers/cli.js';
import { blockedSession, delivered, loadInto, record, t, trackingMessage } from '../audit/small-store.js';

/** Rows in a canonical order: reports that order by a non-unique key may list ties either way. */
function sameOrder(result: { columns: string[]; rows: unknown[] }): { columns: string[]; rows: string[] } {
  return { columns: result.columns, rows: result.rows.map((r) => JSON.stringify(r)).sort() };
}

const firewallEvent = (at: string, recordId: number) =>
  record('events', {
    record_id: recordId,
    time_created: t(at),
    provider: 'SmtpEvt',
    event_id: 20031,
    level: 2,
    computer: 'ISA01',
    channel: 'Application',
    binary: new Uint8Array(Buffer.from('XEXCH50 1020')),
    binary_text: 'XEXCH50 1020',
    data: [{ name: null, value: 'An unknown SMTP command' }],
  });

async function tableRows(connection: DuckDBConnection, table: string) {
  const columns = (await runSql(connection, `SELECT * FROM "${table}" LIMIT 0`)).columns;
  const rows = (await runSql(connection, `SELECT * FROM "${table}" ORDER BY ALL`)).rows;
  const types = (await runSql(connection, `SELECT typeof(COLUMNS(*)) FROM "${table}" LIMIT 1`)).rows;
  return { columns, rows, types };
}

/** Values for the canned reports' required parameters (a new required parameter fails here). */
const REPORT_ARGUMENTS: Record<string, string> = { domain: 'blocked.example' };

async function compareAll(dbPath: string, lakeDir: string): Promise<Record<string, number>> {
  const store = await openStore(dbPath, { readOnly: true });
  const lake = await openLake(lakeDir);
  const counts: Record<string, number> = {};
  try {
    const manifest = JSON.parse(readFileSync(join(lakeDir, 'edgelog-lake.json'), 'utf8'));
    for (const table of Object.keys(manifest.tables)) {
      const expected = await tableRows(store.connection, table);
      assert.deepEqual(await tableRows(lake.connection, table), expected, `table ${table}`);
      counts[table] = expected.rows.length;
    }
    const reportsWithRows: string[] = [];
    for (const report of listReports()) {
      const given = Object.fromEntries(report.params.filter((p) => !p.optional).map((p) => [p.name, REPORT_ARGUMENTS[p.name]]));
      const bound = bindParams(report, given);
      const fromDb = await runSql(store.connection, report.sql, bound.values, bound.types);
      if (fromDb.rows.length > 0) reportsWithRows.push(report.name);
      assert.deepEqual(sameOrder(await runSql(lake.connection, report.sql, bound.values, bound.types)), sameOrder(fromDb), `report ${report.name}`);
    }
    assert.ok(reportsWithRows.length >= 3, `${reportsWithRows.length} canned reports had rows to compare`);
    // These read derived tables: stored sums in the store, views over the lake's data.
    for (const name of ['domain-summary', 'stuck-messages', 'domain-timeline']) assert.ok(reportsWithRows.includes(name), `${name} had rows to compare`);
  } finally {
    await lake.close();
    await store.close();
  }
  return counts;
}

test('a full export reads back identically, partitioned by source kind and day', async () => {
  const dir = tempDir();
  const db = join(dir, 'edge.duckdb');
  await loadInto(db, 'sender', [
    trackingMessage('<m1@corp>', 'ann@blocked.example', '2026-10-01T08:00:00Z', { subject: "it's <b>" }),
    blockedSession('S1', 'blocked.example', '2026-10-01T08:00:05Z'),
    trackingMessage('<m2@corp>', 'cy@fine.example', '2026-10-02T10:00:00Z'),
    delivered('<m2@corp>', 'cy@fine.example', '2026-10-02T10:00:01Z'),
    record('tracking', { server: 'EXCH01', event_kind: 'other' }),
  ]);
  await loadInto(db, 'firewall', [firewallEvent('2026-10-01T08:00:06Z', 11), firewallEvent('2026-10-02T09:00:00Z', 12)]);
  mkdirSync(join(dir, 'inbox'));
  await runAudit(
    {
      file: null,
      db,
      folders: [{ path: join(dir, 'inbox'), globs: ['**/*'], tz: null, format: null, recover: false }],
      firewallMap: null,
      failOn: 'low',
      skewSeconds: null,
      since: null,
      until: null,
      out: join(dir, 'reports'),
      retainDays: null,
      defaultTz: null,
    },
    new Date('2026-10-03T02:00:00Z'),
  );

  const lakeDir = join(dir, 'lake');
  const store = await openStore(db, { readOnly: true });
  const exported = await exportParquet(store.connection, lakeDir, { since: null, database: db });
  await store.close();
  const rowsOf = (name: string) => exported.find((e) => e.table === name)?.rows;
  assert.equal(rowsOf('tracking'), 4);
  assert.equal(rowsOf('events'), 2);
  assert.equal(rowsOf('event_data'), undefined, 'event_data is a view over events.data, not exported twice');
  assert.equal(rowsOf('smtp_sessions'), 1);
  assert.equal(rowsOf('audit_runs'), 1);
  assert.equal(rowsOf('schema_version'), MIGRATIONS.length);
  assert.equal(rowsOf('mail_pairs'), undefined, 'derived tables are views over a lake, not exported');
  assert.ok(existsSync(join(lakeDir, 'tracking/source_kind=test-records/day=2026-10-01/data_0.parquet')));
  assert.ok(existsSync(join(lakeDir, 'tracking/source_kind=test-records/day=2026-10-02/data_0.parquet')));
  assert.ok(existsSync(join(lakeDir, 'tracking/source_kind=test-records/day=__HIVE_DEFAULT_PARTITION__/data_0.parquet')));
  assert.ok(existsSync(join(lakeDir, 'events/source_kind=test-records/day=2026-10-02/data_0.parquet')));
  assert.ok(existsSync(join(lakeDir, 'audit_runs/day=2026-10-03/data_0.parquet')));
  assert.ok(existsSync(join(lakeDir, 'schema_version/data.parquet')));

  const counts = await compareAll(db, lakeDir);
  assert.equal(counts.tracking, 4);
  const lake = await openLake(lakeDir);
  const dataRows = (await runSql(lake.connection, 'SELECT seq, ordinal, name, value FROM event_data ORDER BY seq, ordinal')).rows;
  await lake.close();
  assert.equal(dataRows.length, 2, 'the event_data view works over the lake too');
  assert.equal(counts.queue_snapshots, 0);
  assert.equal(counts.audit_findings, 2);

  // Incremental: a new day arrives; --since that day rewrites it and leaves older days alone.
  const older = join(lakeDir, 'tracking/source_kind=test-records/day=2026-10-01/data_0.parquet');
  const olderMtime = statSync(older).mtimeMs;
  await loadInto(db, 'day4', [trackingMessage('<m4@corp>', 'di@fine.example', '2026-10-04T10:00:00Z')]);
  const again = await openStore(db, { readOnly: true });
  const incremental = await exportParquet(again.connection, lakeDir, { since: t('2026-10-02T12:00:00Z'), database: db });
  await again.close();
  assert.equal(incremental.find((e) => e.table === 'tracking')?.rows, 3);
  assert.equal(statSync(older).mtimeMs, olderMtime);
  assert.equal((await compareAll(db, lakeDir)).tracking, 5);
});

test('opening a folder that is not a lake names the missing manifest', async () => {
  await assert.rejects(openLake(tempDir()), /is not an edgelog lake \(cannot read edgelog-lake\.json/);
});
