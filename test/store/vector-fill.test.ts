// vector-fill writes DuckDB's string slots and validity bits itself; these tests read every value back
// through SQL, across several reused-chunk batches (with and without NULLs), at the inline/pointer
// boundary (12/13 bytes), with multi-byte UTF-8, binary and the integer edge values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BIGINT, BLOB, BOOLEAN, DOUBLE, DuckDBDataChunk, DuckDBInstance, INTEGER, TIMESTAMP, UBIGINT, VARCHAR, type DuckDBType } from '@duckdb/node-api';
import { CHUNK_ROWS, chunkVector, FILLS, resetChunk, type FillKind } from '../../src/store/vector-fill.js';

const COLUMNS: { name: string; sql: string; type: DuckDBType; fill: FillKind }[] = [
  { name: 's', sql: 'VARCHAR', type: VARCHAR, fill: 'string' },
  { name: 'j', sql: 'VARCHAR', type: VARCHAR, fill: 'json' },
  { name: 'b', sql: 'BLOB', type: BLOB, fill: 'blob' },
  { name: 'i', sql: 'INTEGER', type: INTEGER, fill: 'int32' },
  { name: 'l', sql: 'BIGINT', type: BIGINT, fill: 'int64' },
  { name: 'u', sql: 'UBIGINT', type: UBIGINT, fill: 'int64' },
  { name: 't', sql: 'TIMESTAMP', type: TIMESTAMP, fill: 'micros' },
  { name: 'd', sql: 'DOUBLE', type: DOUBLE, fill: 'float64' },
  { name: 'f', sql: 'BOOLEAN', type: BOOLEAN, fill: 'bool' },
];

const TEXTS = ['', 'a', 'twelve bytes', 'thirteen byte', 'ünïcødé ✓ 𝄞', 'x'.repeat(5000), '<EXCH01000000001a@exch01.contoso.local>'];

/** Row r's values; batch 1 has no NULL at all so a reset chunk's validity is checked too. */
function row(r: number): unknown[] {
  const batch = Math.floor(r / CHUNK_ROWS);
  const isNull = batch !== 1 && r % 7 === 3;
  if (isNull) return COLUMNS.map(() => null);
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
    switch (COLUMNS[c].fill) {
      case 'json':
        return JSON.stringify(value);
      case 'blob':
        return Buffer.from(value as Uint8Array).toString('hex');
      case 'micros': {
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
  await connection.run(`CREATE TABLE t (r INTEGER, ${COLUMNS.map((c) => `${c.name} ${c.sql}`).join(', ')})`);
  const appender = await connection.createAppender('t');
  const chunk = DuckDBDataChunk.create([INTEGER, ...COLUMNS.map((c) => c.type)], CHUNK_ROWS);
  const total = CHUNK_ROWS * 3 + 17;
  for (let start = 0; start < total; start += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, total - start);
    const columns: unknown[][] = [[], ...COLUMNS.map(() => [])];
    for (let r = start; r < start + rows; r++) {
      columns[0].push(r);
      row(r).forEach((value, c) => columns[c + 1].push(value));
    }
    resetChunk(chunk.chunk);
    FILLS.int32(chunkVector(chunk.chunk, 0), columns[0], rows);
    COLUMNS.forEach((c, i) => FILLS[c.fill](chunkVector(chunk.chunk, i + 1), columns[i + 1], rows));
    chunk.rowCount = rows;
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
  const read = await connection.runAndReadAll(
    `SELECT r, s, j, hex(b), i::VARCHAR, l::VARCHAR, u::VARCHAR, epoch_us(t)::VARCHAR, d::VARCHAR, f::VARCHAR FROM t ORDER BY r`,
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
