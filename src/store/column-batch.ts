// Records → column batches in DuckDB's vector layout, ready to be copied into a DataChunk with a few
// native calls per column (batch-appender.ts). Pure JS with no DuckDB import, so it runs in the read
// worker: parsing and encoding on one core while DuckDB stores the previous batches on the other.
//
// Strings are laid out as C API `duckdb_string_t` slots (uint32 length, then 12 inline bytes, or a
// 4-byte prefix and a pointer). A slot's pointer field holds the string's offset in the batch's
// `bytes`; the appender adds the address DuckDB copied `bytes` to.
import { TABLES, type ColumnType, type Columns, type StoredRecord, type TableDef } from './records.js';

/** Rows per batch: DuckDB's vector size. */
export const BATCH_ROWS = 2048;

export const STRING_SLOT = 16;
export const INLINE_LIMIT = 12;

export type EncodedColumn =
  | { kind: 'string'; slots: Uint8Array; bytes: Uint8Array; heapStrings: boolean; validity: Uint8Array | null }
  | { kind: 'fixed'; data: Uint8Array; validity: Uint8Array | null };

export interface EncodedBatch {
  /** Table the rows go to (a data table or a child table). */
  table: string;
  rows: number;
  /** Key columns (file_id, seq[, ordinal]) first, then the table's columns in declaration order. */
  columns: EncodedColumn[];
}

/** The buffers of a batch, for a zero-copy postMessage. */
export function transferList(batch: EncodedBatch): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const c of batch.columns) {
    if (c.kind === 'string') out.push(c.slots.buffer as ArrayBuffer, c.bytes.buffer as ArrayBuffer);
    else out.push(c.data.buffer as ArrayBuffer);
    if (c.validity) out.push(c.validity.buffer as ArrayBuffer);
  }
  return out;
}

type Encode = (values: readonly unknown[], rows: number) => EncodedColumn;

/**
 * ArrayBuffers of stored batches, handed back by the thread that stored them (recycleBuffers), by
 * byte length. A worker's batches are freed on the storing thread; left to malloc, that churn kept
 * ~40 MB of the reading thread's arena resident. Reused, the buffers in circulation stay those of
 * the batches in flight.
 */
const pool = new Map<number, ArrayBuffer[]>();
/**
 * Bytes the pool may hold: about the most a load has in flight (read-worker.ts: 16 MiB of text-log
 * batches, or 16 event-log batches of ~2 MB), so that an idle thread keeps no more.
 */
const POOL_MAX_BYTES = 32 << 20;
let pooledBytes = 0;

export function recycleBuffers(buffers: readonly ArrayBuffer[]): void {
  for (const buffer of buffers) {
    if (buffer.byteLength === 0 || pooledBytes + buffer.byteLength > POOL_MAX_BYTES) continue;
    let free = pool.get(buffer.byteLength);
    if (!free) pool.set(buffer.byteLength, (free = []));
    free.push(buffer);
    pooledBytes += buffer.byteLength;
  }
}

/** A pooled buffer of exactly `length` bytes, if one is free. */
function pooled(length: number): ArrayBuffer | undefined {
  const buffer = pool.get(length)?.pop();
  if (buffer) pooledBytes -= length;
  return buffer;
}

/** `length` bytes filled with `fill`, from the pool when it has a buffer of that size. */
function filledBytes(length: number, fill: number): Uint8Array {
  const reused = pooled(length);
  if (!reused) return fill === 0 ? new Uint8Array(length) : new Uint8Array(length).fill(fill);
  return new Uint8Array(reused).fill(fill);
}

/** A copy of `bytes` in a pooled buffer of the next power of two (string heaps vary in size). */
function copiedBytes(bytes: Uint8Array): Uint8Array {
  const capacity = Math.max(4096, 2 ** Math.ceil(Math.log2(Math.max(1, bytes.length))));
  const reused = pooled(capacity);
  const copy = new Uint8Array(reused ?? new ArrayBuffer(capacity), 0, bytes.length);
  copy.set(bytes);
  return copy;
}

/** A validity mask with every row valid (DuckDB validity: bit set = valid); rows are cleared as NULLs are met. */
function allValid(): Uint8Array {
  return filledBytes(Math.ceil(BATCH_ROWS / 8), 0xff);
}

/** String bytes of the batch being encoded; grown as needed, reused across batches. */
let heap = Buffer.allocUnsafe(1 << 20);

function reserve(used: number, extra: number): void {
  if (used + extra <= heap.length) return;
  const grown = Buffer.allocUnsafe(Math.max(heap.length * 2, used + extra));
  heap.copy(grown, 0, 0, used);
  heap = grown;
}

/** Writes a string's UTF-8 bytes at `at`; returns the byte count. Short ASCII is copied in JS (cheaper than a call). */
function encodeText(text: string, at: number): number {
  const n = text.length;
  reserve(at, n * 3);
  if (n <= 32) {
    let i = 0;
    for (; i < n; i++) {
      const code = text.charCodeAt(i);
      if (code > 0x7f) break;
      heap[at + i] = code;
    }
    if (i === n) return n;
  }
  return heap.write(text, at, 'utf8');
}

function encodeBytes(bytes: Uint8Array, at: number): number {
  reserve(at, bytes.length);
  heap.set(bytes, at);
  return bytes.length;
}

/**
 * Distinct values per column and batch whose slots are remembered for reuse. Log columns repeat a
 * few values across interleaved rows (server, event, verb, peer address, session key, the usual
 * replies); the bound keeps a column of unique values from paying for a large map.
 */
const MAX_SEEN = 256;

/**
 * A column's strings into slots and bytes. A value met earlier in the batch reuses its slot (same
 * bytes, same heap offset): a lookup costs less than encoding the characters again. Short ASCII
 * text goes straight into its slot. Slots are in native byte order, as DuckDB reads them.
 */
function stringColumn(encode: (value: unknown, at: number) => number, text: boolean): Encode {
  return (values, rows) => {
    const slots = filledBytes(rows * STRING_SLOT, 0);
    const words = new Uint32Array(slots.buffer);
    let validity: Uint8Array | null = null;
    let used = 0;
    let heapStrings = false;
    let previous: unknown = null;
    let previousWord = 0;
    const seen = new Map<unknown, number>();
    let lookUp = true;
    let hits = 0;
    let misses = 0;
    for (let row = 0; row < rows; row++) {
      const value = values[row];
      if (value === null || value === undefined) {
        validity = withNull(validity, row);
        previous = null;
        continue;
      }
      const slot = row * STRING_SLOT;
      const word = slot >> 2;
      const same = value === previous ? previousWord : -1;
      previous = value;
      previousWord = word;
      // Short ASCII is cheaper written into its slot again than looked up.
      if (same < 0 && text && inlineAscii(value as string, slots, slot)) {
        words[word] = (value as string).length;
        continue;
      }
      let earlier = same;
      if (earlier < 0 && lookUp) {
        earlier = seen.get(value) ?? -1;
        if (earlier >= 0) hits++;
        // A column of mostly distinct values (message ids, subjects) only pays for the lookups.
        else if (seen.size === MAX_SEEN && hits < ++misses) lookUp = false;
      }
      if (earlier >= 0) {
        words[word] = words[earlier];
        words[word + 1] = words[earlier + 1];
        words[word + 2] = words[earlier + 2];
        words[word + 3] = words[earlier + 3];
        continue;
      }
      if (seen.size < MAX_SEEN) seen.set(value, word);
      const start = used;
      const n = encode(value, start);
      used += n;
      words[word] = n;
      if (n <= INLINE_LIMIT) {
        for (let k = 0; k < n; k++) slots[slot + 4 + k] = heap[start + k];
        used = start; // inline: the bytes need not stay in the heap
      } else {
        heapStrings = true;
        slots[slot + 4] = heap[start];
        slots[slot + 5] = heap[start + 1];
        slots[slot + 6] = heap[start + 2];
        slots[slot + 7] = heap[start + 3];
        words[word + 2] = start;
        words[word + 3] = 0; // the appender adds the heap's address to the whole 64-bit pointer
      }
    }
    const bytes = heapStrings ? copiedBytes(heap.subarray(0, used)) : new Uint8Array(0);
    return { kind: 'string', slots, bytes, heapStrings, validity };
  };
}

/** Writes ASCII text of up to INLINE_LIMIT characters into its slot; false (slot to be rewritten) otherwise. */
function inlineAscii(value: string, slots: Uint8Array, slot: number): boolean {
  const n = value.length;
  if (n > INLINE_LIMIT) return false;
  for (let i = 0; i < n; i++) {
    const code = value.charCodeAt(i);
    if (code > 0x7f) return false;
    slots[slot + 4 + i] = code;
  }
  return true;
}

const TWO_32 = 2 ** 32;

/** Marks a row NULL; the mask is allocated (all valid) at the column's first NULL. */
function withNull(validity: Uint8Array | null, row: number): Uint8Array {
  const mask = validity ?? allValid();
  mask[row >> 3] &= ~(1 << (row & 7));
  return mask;
}

// Fixed-width types write through typed arrays in native byte order (as DuckDB
// reads vectors): a shared loop calling a per-type writer was one megamorphic call per value.

/** INTEGER or DOUBLE: numbers through a typed array of that type (two kinds: the store stays fast). */
function numberColumn(array: typeof Int32Array | typeof Float64Array): Encode {
  return (values, rows) => {
    const data = filledBytes(rows * array.BYTES_PER_ELEMENT, 0);
    const out = new array(data.buffer as ArrayBuffer, 0, rows);
    let validity: Uint8Array | null = null;
    for (let row = 0; row < rows; row++) {
      const value = values[row];
      if (value === null || value === undefined) validity = withNull(validity, row);
      else out[row] = value as number;
    }
    return { kind: 'fixed', data, validity };
  };
}

/** Safe integers (numbers, no BigInt allocated) or bigints (wrapped to 64 bits, so UBIGINT keeps its bits). */
function int64Column(values: readonly unknown[], rows: number): EncodedColumn {
  const data = filledBytes(rows * 8, 0);
  const words = new Uint32Array(data.buffer, 0, rows * 2);
  let wide: BigUint64Array | null = null;
  let validity: Uint8Array | null = null;
  for (let row = 0; row < rows; row++) {
    const value = values[row];
    if (value === null || value === undefined) validity = withNull(validity, row);
    else if (typeof value === 'bigint') (wide ??= new BigUint64Array(data.buffer, 0, rows))[row] = value;
    else {
      const high = Math.floor((value as number) / TWO_32);
      words[2 * row] = (value as number) - high * TWO_32;
      words[2 * row + 1] = high; // a negative high word wraps to its two's complement
    }
  }
  return { kind: 'fixed', data, validity };
}

/** The last time converted by microsColumn: log lines share their second, and BigInt division allocates. */
let lastNanos: bigint | null = null;
let lastMicros = 0n;

/** Nanoseconds (bigint) to DuckDB TIMESTAMP microseconds, rounding toward the past. */
function microsColumn(values: readonly unknown[], rows: number): EncodedColumn {
  const data = filledBytes(rows * 8, 0);
  const out = new BigInt64Array(data.buffer, 0, rows);
  let validity: Uint8Array | null = null;
  for (let row = 0; row < rows; row++) {
    const value = values[row];
    if (value === null || value === undefined) {
      validity = withNull(validity, row);
      continue;
    }
    const ns = value as bigint;
    if (ns !== lastNanos) {
      const q = ns / 1000n;
      lastMicros = ns % 1000n !== 0n && ns < 0n ? q - 1n : q;
      lastNanos = ns;
    }
    out[row] = lastMicros;
  }
  return { kind: 'fixed', data, validity };
}

function booleanColumn(values: readonly unknown[], rows: number): EncodedColumn {
  const data = filledBytes(rows, 0);
  let validity: Uint8Array | null = null;
  for (let row = 0; row < rows; row++) {
    const value = values[row];
    if (value === null || value === undefined) validity = withNull(validity, row);
    else data[row] = value ? 1 : 0;
  }
  return { kind: 'fixed', data, validity };
}

const ENCODERS: Record<ColumnType, Encode> = {
  VARCHAR: stringColumn((value, at) => encodeText(value as string, at), true),
  JSON: stringColumn((value, at) => encodeText(JSON.stringify(value), at), false),
  BLOB: stringColumn((value, at) => encodeBytes(value as Uint8Array, at), false),
  INTEGER: numberColumn(Int32Array),
  BIGINT: int64Column,
  UBIGINT: int64Column,
  TIMESTAMP: microsColumn,
  TIMESTAMP_NS: int64Column,
  DOUBLE: numberColumn(Float64Array),
  BOOLEAN: booleanColumn,
};

/** Types of the key columns a table starts with: file_id, seq, and for child tables ordinal. */
export const KEY_TYPES: readonly ColumnType[] = ['BIGINT', 'BIGINT', 'INTEGER'];

type RowCopier = (row: Record<string, unknown>, values: unknown[][], at: number) => void;

/**
 * Copies a record's column values into the pending columns. Generated per table so that each read
 * is of one fixed property name: a reader's records share one shape, so every read site stays
 * monomorphic, where a loop over the names made one megamorphic keyed lookup per value.
 */
function rowCopier(names: readonly string[], offset: number): RowCopier {
  const body = names.map((name, i) => `values[${offset + i}][at] = row[${JSON.stringify(name)}];`).join('\n');
  return new Function('row', 'values', 'at', body) as RowCopier;
}

/** One table's pending rows, column by column. */
export class TableBatcher {
  private readonly copyRow: RowCopier;
  private readonly encoders: Encode[];
  private readonly values: unknown[][];
  private rows = 0;

  constructor(
    private readonly table: string,
    columns: Columns,
    keyCount: number,
  ) {
    const names = Object.keys(columns);
    this.copyRow = rowCopier(names, keyCount);
    const types = [...KEY_TYPES.slice(0, keyCount), ...names.map((n) => columns[n])];
    this.encoders = types.map((t) => ENCODERS[t]);
    this.values = types.map(() => new Array<unknown>(BATCH_ROWS));
  }

  /** Adds a row; returns the batch when it is full. */
  add(keys: readonly number[], row: Record<string, unknown>): EncodedBatch | null {
    const at = this.rows;
    const values = this.values;
    for (let k = 0; k < keys.length; k++) values[k][at] = keys[k];
    this.copyRow(row, values, at);
    return ++this.rows === BATCH_ROWS ? this.take() : null;
  }

  /** The rows gathered so far as a batch (null when there are none). */
  take(): EncodedBatch | null {
    const rows = this.rows;
    if (rows === 0) return null;
    const columns = this.encoders.map((encode, c) => encode(this.values[c], rows));
    for (const column of this.values) column.fill(undefined, 0, rows); // let the batch's values be collected
    this.rows = 0;
    return { table: this.table, rows, columns };
  }
}

interface TableBatchers {
  main: TableBatcher;
  children: { field: string; batcher: TableBatcher }[];
}

/** Records of one file in, batches per table out; counts the records and their time span. */
export class RecordBatcher {
  private readonly tables = new Map<string, TableBatchers>();
  private readonly timeColumns = new Map<string, string>();
  records = 0;
  firstTime: bigint | null = null;
  lastTime: bigint | null = null;

  constructor(
    private readonly fileId: number,
    private readonly emit: (batch: EncodedBatch) => void,
  ) {
    for (const table of TABLES as readonly TableDef[]) {
      this.tables.set(table.name, {
        main: new TableBatcher(table.name, table.columns, 2),
        children: (table.children ?? []).map((child) => ({ field: child.field, batcher: new TableBatcher(child.table, child.columns, 3) })),
      });
      this.timeColumns.set(table.name, table.timeColumn);
    }
  }

  add(record: StoredRecord): void {
    const target = this.tables.get(record.table);
    if (!target) throw new Error(`record for unknown table "${record.table}"`);
    const row = record as unknown as Record<string, unknown>;
    const seq = this.records++;
    this.send(target.main.add([this.fileId, seq], row));
    for (const child of target.children) {
      const items = row[child.field] as Record<string, unknown>[] | undefined;
      if (!items) continue;
      for (let ordinal = 0; ordinal < items.length; ordinal++) this.send(child.batcher.add([this.fileId, seq, ordinal], items[ordinal]));
    }
    const time = row[this.timeColumns.get(record.table) ?? ''];
    if (typeof time === 'bigint') {
      if (this.firstTime === null || time < this.firstTime) this.firstTime = time;
      if (this.lastTime === null || time > this.lastTime) this.lastTime = time;
    }
  }

  /** Emits every partly filled batch. */
  finish(): void {
    for (const target of this.tables.values()) {
      this.send(target.main.take());
      for (const child of target.children) this.send(child.batcher.take());
    }
  }

  private send(batch: EncodedBatch | null): void {
    if (batch) this.emit(batch);
  }
}
