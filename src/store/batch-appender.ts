// Encoded column batches (column-batch.ts) into their tables through DuckDB Appenders: per column,
// one native call hands DuckDB the batch's string bytes (it copies them into the vector's heap),
// the slots' offsets become addresses into that copy, and one more call copies the slots in.
// node-api's own vectors make one native call per string and never free a reused chunk's string
// heap, which made string copying the largest cost of ingest and let memory grow with the file.
import type { Vector } from '@duckdb/node-bindings';
import { BIGINT, BLOB, BOOLEAN, bindings as duckdb, DOUBLE, DuckDBDataChunk, INTEGER, TIMESTAMP, TIMESTAMP_NS, UBIGINT, VARCHAR } from './duckdb.js';
import type { DuckDBAppender, DuckDBConnection, DuckDBType } from './duckdb.js';
import { BATCH_ROWS, INLINE_LIMIT, KEY_TYPES, STRING_SLOT, type EncodedBatch, type EncodedColumn } from './column-batch.js';
import { TABLES, type ColumnType, type Columns, type TableDef } from './records.js';

const DUCKDB_TYPES: Record<ColumnType, DuckDBType> = {
  VARCHAR,
  JSON: VARCHAR,
  BLOB,
  INTEGER,
  BIGINT,
  UBIGINT,
  TIMESTAMP,
  TIMESTAMP_NS,
  DOUBLE,
  BOOLEAN,
};

const TWO_32 = 2 ** 32;

function writeColumn(vector: Vector, column: EncodedColumn, rows: number): void {
  if (column.kind === 'fixed') {
    duckdb.copy_data_to_vector(vector, 0, column.data.buffer as ArrayBuffer, column.data.byteOffset, column.data.byteLength);
  } else {
    if (column.heapStrings) placeStrings(vector, column.slots, column.bytes, rows);
    duckdb.copy_data_to_vector(vector, 0, column.slots.buffer as ArrayBuffer, column.slots.byteOffset, rows * STRING_SLOT);
  }
  if (column.validity) {
    duckdb.vector_ensure_validity_writable(vector);
    duckdb.copy_data_to_vector_validity(vector, 0, column.validity.buffer as ArrayBuffer, column.validity.byteOffset, Math.ceil(rows / 8));
  }
}

/** Copies the batch's string bytes into the vector's heap (through row 0, rewritten afterwards) and points the slots at them. */
function placeStrings(vector: Vector, slots: Uint8Array, bytes: Uint8Array, rows: number): void {
  duckdb.vector_assign_string_element_len(vector, 0, bytes);
  const head = duckdb.vector_get_data(vector, STRING_SLOT);
  const headWords = new DataView(head.buffer, head.byteOffset, STRING_SLOT);
  const baseLow = headWords.getUint32(8, true);
  const baseHigh = headWords.getUint32(12, true);
  const words = new DataView(slots.buffer, slots.byteOffset, rows * STRING_SLOT);
  for (let slot = 0; slot < rows * STRING_SLOT; slot += STRING_SLOT) {
    if (words.getUint32(slot, true) <= INLINE_LIMIT) continue;
    let low = baseLow + words.getUint32(slot + 8, true);
    let high = baseHigh;
    if (low >= TWO_32) {
      low -= TWO_32;
      high++;
    }
    words.setUint32(slot + 8, low, true);
    words.setUint32(slot + 12, high, true);
  }
}

/** Batches appended between two hand-overs of the appender's rows to the transaction. */
const FLUSH_EVERY_BATCHES = 4;

/** One table's appender and the DataChunk reused for its batches. */
export class TableAppender {
  private readonly chunk: DuckDBDataChunk;
  private batchesBuffered = 0;

  constructor(
    private readonly appender: DuckDBAppender,
    columns: Columns,
    keyCount: number,
  ) {
    const types = [...KEY_TYPES.slice(0, keyCount), ...Object.values(columns)];
    this.chunk = DuckDBDataChunk.create(
      types.map((t) => DUCKDB_TYPES[t]),
      BATCH_ROWS,
    );
  }

  append(batch: EncodedBatch): void {
    const raw = this.chunk.chunk;
    duckdb.data_chunk_reset(raw); // frees the previous batch's string heap
    for (let c = 0; c < batch.columns.length; c++) writeColumn(duckdb.data_chunk_get_vector(raw, c), batch.columns[c], batch.rows);
    this.chunk.rowCount = batch.rows;
    this.appender.appendDataChunk(this.chunk);
    // Hand the rows to the transaction every few batches: the appender's own buffer (~200k rows
    // unless flushed) sits outside DuckDB's memory limit, while the transaction's rows can be
    // written out under it. Not after every batch: each hand-over reopens the table's last
    // segments, often spilled to the temp file under the load's limit. On 250 MB logs every 4
    // batches peaked ~10 MB lower than every 8 at the same or less time (IIS and tracking); every
    // batch wrote ~25 % more to the temp file and cost more DuckDB CPU; every 32 peaked +30 MB.
    if (++this.batchesBuffered === FLUSH_EVERY_BATCHES) {
      this.appender.flushSync();
      this.batchesBuffered = 0;
    }
  }

  close(): void {
    duckdb.data_chunk_reset(this.chunk.chunk);
    this.appender.closeSync();
  }
}

/** Appenders for every data table and child table, opened up front so append() stays synchronous. */
export class BatchAppender {
  private constructor(private readonly tables: Map<string, TableAppender>) {}

  static async create(connection: DuckDBConnection): Promise<BatchAppender> {
    const tables = new Map<string, TableAppender>();
    for (const table of TABLES as readonly TableDef[]) {
      tables.set(table.name, new TableAppender(await connection.createAppender(table.name), table.columns, 2));
      for (const child of table.children ?? []) {
        tables.set(child.table, new TableAppender(await connection.createAppender(child.table), child.columns, 3));
      }
    }
    return new BatchAppender(tables);
  }

  append(batch: EncodedBatch): void {
    const table = this.tables.get(batch.table);
    if (!table) throw new Error(`batch for unknown table "${batch.table}"`);
    table.append(batch);
  }

  /** Closes every appender; the rows stay in the open transaction. */
  close(): void {
    for (const table of this.tables.values()) table.close();
    this.tables.clear();
  }
}
