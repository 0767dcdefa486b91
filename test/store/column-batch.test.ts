// column-batch encodes DuckDB's string slots and validity bits itself and batch-appender points them
// into DuckDB's heap; these tests read every value back through SQL, across several batches through
// one reused chunk (with and without NULLs), at the inline/pointer boundary (12/13 bytes), with
// multi-byte UTF-8, binary and the integer edge values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { BATCH_ROWS, TableBatcher, type EncodedBatch } from '../../src/store/column-batch.js';
import { TableAppender } from '../../src/store/batch-appender.js';
import { createTableSql } from '../../src/store/ddl.js';
import type { ColumnType, Columns } from '../../src/store/records.js';

const COLUMNS: Columns = { s: 'VARCHAR', j: 'JSON', b: 'BLOB', i: 'INTEGER', l: 'BIGINT', u: 'UBIGINT', t: 'TIMESTAMP', d: 'DOUBLE', f: 'BOOLEAN' };
const TYPES = Object.values(COLUMNS) as ColumnType[];

const TEXTS = ['', 'a', 'twelve bytes', 'thirteen byte', 'ünïcødé ✓ 𝄞', 'x'.repeat(5000), '<EXCH01000000001a@exch01.contoso.local>'];

/** Row r's values; batch 1 has no NULL at all so a reset chunk's validity is checked too. */
function row(r: number): unknown[] {
  const batch = Math.floor(r / BATCH_ROWS);
  const isNull = batch !== 1 && r % 7 === 3;
  if (isNull) return TYPES.map(() => null);
  return [
    `${TEXTS[r % TEXTS.length]}${r % 5 === 0 ? r : ''}`,
    { n: r, s: TEXTS[r % TEXTS.length] },
    Uint8Array.from([0, r & 0xff, 0xff, 0x80, ...(r % 3 === 0 ? new Array(20).fill(r & 0x7f) : [])]),
    (r % 2 ? -1 : 1) * r * 1000,
    r % 3 === 0 ? -(2 ** 53 - 1) + r : 2 ** 40 + r,
    r === 5 ? 2n ** 64n - 1n : BigInt(r) * 10_000_000_000n,
    BigInt(r - 1000) * 1_000_000_123n - 1n, // negative and positive nanoseconds, not whole microseconds
    r / 3,
    r % 2 === 0,
  ];
}

function expected(r: number): (string | null)[] {
  return row(r).map((value, c) => {
    if (value === null) return null;
    switch (TYPES[c]) {
      case 'JSON':
        return JSON.stringify(value);
      case 'BLOB':
        return Buffer.from(value as Uint8Array).toString('hex');
      case 'TIMESTAMP': {
        const ns = value as bigint;
        const q = ns / 1000n;
        return String(ns % 1000n !== 0n && ns < 0n ? q - 1n : q);
      }
      default:
        return String(value);
    }
  });
}

test('every column kind round-trips through reused chunks, NULLs and no NULLs, inline and heap strings', async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  for (const sql of createTableSql({ name: 't', description: 'test', columns: COLUMNS, timeColumn: 't' })) await connection.run(sql);
  const batcher = new TableBatcher('t', COLUMNS, 2);
  const appender = new TableAppender(await connection.createAppender('t'), COLUMNS, 2);
  const total = BATCH_ROWS * 3 + 17;
  const names = Object.keys(COLUMNS);
  const send = (batch: EncodedBatch | null) => batch && appender.append(structuredClone(batch));
  for (let r = 0; r < total; r++) {
    const values = row(r);
    send(batcher.add([7, r], Object.fromEntries(names.map((name, c) => [name, values[c]]))));
  }
  send(batcher.take());
  appender.close();
  const read = await connection.runAndReadAll(
    `SELECT seq, s, j, hex(b), i::VARCHAR, l::VARCHAR, u::VARCHAR, epoch_us(t)::VARCHAR, d::VARCHAR, f::VARCHAR FROM t WHERE file_id = 7 ORDER BY seq`,
  );
  const rows = read.getRows();
  assert.equal(rows.length, total);
  let nulls = 0;
  for (const [r, ...values] of rows) {
    const want = expected(Number(r));
    const got = values.map((v, c) => (v === null ? null : c === 2 ? String(v).toLowerCase() : String(v)));
    if (want[0] === null) nulls++;
    // DOUBLE text comes back in DuckDB's shortest form; compare numerically.
    assert.equal(Number(got[7]), want[7] === null ? 0 : Number(want[7]), `row ${r} double`);
    got[7] = want[7];
    assert.deepEqual(got, want, `row ${r}`);
  }
  assert.ok(nulls > 500, `NULL rows exercised (${nulls})`);
  connection.closeSync();
  instance.closeSync();
});

test('values repeated in a batch (the row before, or earlier, also after many distinct ones) and repeated timestamps read back as written', async () => {
  const columns: Columns = { s: 'VARCHAR', t: 'TIMESTAMP' };
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  for (const sql of createTableSql({ name: 'r', description: 'test', columns, timeColumn: 't' })) await connection.run(sql);
  const batcher = new TableBatcher('r', columns, 2);
  const appender = new TableAppender(await connection.createAppender('r'), columns, 2);
  // Four interleaved long values (each repeats one from earlier in the batch, not the row before),
  // short values and NULLs between them, and timestamps that stay the same for 5 rows (negative ones too).
  const peers = ['out/198.51.100.7/1', 'out/198.51.100.8/2', 'in/203.0.113.9/3', 'ünïcødé peer ✓ 4'];
  // Each batch starts with 300 distinct values, more than the encoder remembers: it stops looking
  // values up for the rest of that batch, and the repeats after them must still read back.
  const value = (r: number): string | null =>
    r % BATCH_ROWS < 300 ? `distinct value number ${r}` : r % 11 === 5 ? null : r % 6 === 1 ? `s${r % 3}` : peers[r % 4];
  const time = (r: number): bigint => BigInt(Math.floor(r / 5) - 400) * 1_000_001_001n;
  const total = BATCH_ROWS * 2 + 5;
  const send = (batch: EncodedBatch | null) => batch && appender.append(structuredClone(batch));
  for (let r = 0; r < total; r++) send(batcher.add([1, r], { s: value(r), t: time(r) }));
  send(batcher.take());
  appender.close();
  const rows = (await connection.runAndReadAll('SELECT seq, s, epoch_us(t)::VARCHAR FROM r ORDER BY seq')).getRows();
  assert.equal(rows.length, total);
  for (const [seq, s, t] of rows) {
    const r = Number(seq);
    const ns = time(r);
    const q = ns / 1000n;
    assert.deepEqual([s, t], [value(r), String(ns % 1000n !== 0n && ns < 0n ? q - 1n : q)], `row ${r}`);
  }
  connection.closeSync();
  instance.closeSync();
});
