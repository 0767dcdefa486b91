// Fills the vectors of a DuckDB DataChunk from plain column arrays with a few native calls per column.
// node-api's vector classes make one native call per string and never free a reused chunk's string
// heap, which made string copying the largest cost of ingest and let memory grow with the file.
// Here a column's strings are UTF-8-encoded into one buffer that DuckDB copies into the vector's
// heap in one call; each row's `duckdb_string_t` (C API layout: uint32 length, then 12 inline
// bytes, or a 4-byte prefix and a pointer) is then written to point into that copy. `resetChunk`
// frees the heap between batches.
import duckdb from '@duckdb/node-bindings';

/** Rows per DataChunk: DuckDB's vector size. */
export const CHUNK_ROWS = 2048;

const STRING_SLOT = 16;
const INLINE_LIMIT = 12;
const TWO_32 = 2 ** 32;

/** Writes one column of `rows` values into a vector; null/undefined values become NULL. */
export type VectorFill = (vector: duckdb.Vector, values: readonly unknown[], rows: number) => void;

export type FillKind = 'string' | 'json' | 'blob' | 'int32' | 'int64' | 'micros' | 'float64' | 'bool';

/** Validity bits of one batch, shared by every column fill (each finishes before the next starts). */
const validity = new Uint8Array(CHUNK_ROWS / 8);

function markNull(row: number): void {
  validity[row >> 3] &= ~(1 << (row & 7));
}

function writeValidity(vector: duckdb.Vector, rows: number, hasNull: boolean): void {
  if (!hasNull) return; // a reset vector is all-valid
  duckdb.vector_ensure_validity_writable(vector);
  duckdb.copy_data_to_vector_validity(vector, 0, validity.buffer, 0, Math.ceil(rows / 8));
}

/** The string bytes of a batch, grown as needed and reused across batches. */
let heap = Buffer.allocUnsafe(1 << 20);
const slotBuffer = new ArrayBuffer(CHUNK_ROWS * STRING_SLOT);
const slotBytes = new Uint8Array(slotBuffer);
const slotWords = new DataView(slotBuffer);
const starts = new Int32Array(CHUNK_ROWS);
const lengths = new Int32Array(CHUNK_ROWS);

function reserve(used: number, extra: number): void {
  if (used + extra <= heap.length) return;
  const grown = Buffer.allocUnsafe(Math.max(heap.length * 2, used + extra));
  heap.copy(grown, 0, 0, used);
  heap = grown;
}

/** Appends a string's UTF-8 bytes at `at`; returns the byte count. ASCII is copied in JS (cheaper than a call). */
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

function stringFill(encode: (value: unknown, at: number) => number): VectorFill {
  return (vector, values, rows) => {
    validity.fill(0xff);
    let hasNull = false;
    let used = 0;
    for (let row = 0; row < rows; row++) {
      const value = values[row];
      if (value === null || value === undefined) {
        markNull(row);
        hasNull = true;
        lengths[row] = -1;
        continue;
      }
      const n = encode(value, used);
      starts[row] = used;
      lengths[row] = n;
      used += n;
    }
    let baseLow = 0;
    let baseHigh = 0;
    if (used > INLINE_LIMIT) {
      // DuckDB copies the whole batch's bytes into row 0's heap; row 0 is overwritten below.
      duckdb.vector_assign_string_element_len(vector, 0, heap.subarray(0, used));
      const head = duckdb.vector_get_data(vector, STRING_SLOT);
      const words = new DataView(head.buffer, head.byteOffset, STRING_SLOT);
      baseLow = words.getUint32(8, true);
      baseHigh = words.getUint32(12, true);
    }
    slotBytes.fill(0, 0, rows * STRING_SLOT);
    for (let row = 0; row < rows; row++) {
      const n = lengths[row];
      if (n < 0) continue;
      const slot = row * STRING_SLOT;
      const start = starts[row];
      slotWords.setUint32(slot, n, true);
      if (n <= INLINE_LIMIT) {
        for (let k = 0; k < n; k++) slotBytes[slot + 4 + k] = heap[start + k];
      } else {
        slotBytes[slot + 4] = heap[start];
        slotBytes[slot + 5] = heap[start + 1];
        slotBytes[slot + 6] = heap[start + 2];
        slotBytes[slot + 7] = heap[start + 3];
        let low = baseLow + start;
        let high = baseHigh;
        if (low >= TWO_32) {
          low -= TWO_32;
          high++;
        }
        slotWords.setUint32(slot + 8, low, true);
        slotWords.setUint32(slot + 12, high, true);
      }
    }
    duckdb.copy_data_to_vector(vector, 0, slotBuffer, 0, rows * STRING_SLOT);
    writeValidity(vector, rows, hasNull);
  };
}

/** Fixed-width values: `put` stores a non-null value of row `row` into the shared 8-byte-per-row buffer. */
const fixedBuffer = new ArrayBuffer(CHUNK_ROWS * 8);
const fixedView = new DataView(fixedBuffer);
const fixedBigInts = new BigInt64Array(fixedBuffer);

function fixedFill(width: number, put: (row: number, value: unknown) => void): VectorFill {
  return (vector, values, rows) => {
    validity.fill(0xff);
    let hasNull = false;
    for (let row = 0; row < rows; row++) {
      const value = values[row];
      if (value === null || value === undefined) {
        markNull(row);
        hasNull = true;
        continue;
      }
      put(row, value);
    }
    duckdb.copy_data_to_vector(vector, 0, fixedBuffer, 0, rows * width);
    writeValidity(vector, rows, hasNull);
  };
}

/** A safe integer (number) or a bigint (wrapped to 64 bits, so UBIGINT keeps its bits) as int64, without allocating a BigInt for numbers. */
function putInt64(row: number, value: unknown): void {
  if (typeof value === 'bigint') {
    fixedBigInts[row] = value;
    return;
  }
  const n = value as number;
  const high = Math.floor(n / TWO_32);
  fixedView.setUint32(row * 8, n - high * TWO_32, true);
  fixedView.setInt32(row * 8 + 4, high, true);
}

/** Nanoseconds (bigint) to DuckDB TIMESTAMP microseconds, rounding toward the past. */
function putMicros(row: number, value: unknown): void {
  const ns = value as bigint;
  const q = ns / 1000n;
  fixedBigInts[row] = ns % 1000n !== 0n && ns < 0n ? q - 1n : q;
}

export const FILLS: Record<FillKind, VectorFill> = {
  string: stringFill((value, at) => encodeText(value as string, at)),
  json: stringFill((value, at) => encodeText(JSON.stringify(value), at)),
  blob: stringFill((value, at) => encodeBytes(value as Uint8Array, at)),
  int32: fixedFill(4, (row, value) => fixedView.setInt32(row * 4, value as number, true)),
  int64: fixedFill(8, putInt64),
  micros: fixedFill(8, putMicros),
  float64: fixedFill(8, (row, value) => fixedView.setFloat64(row * 8, value as number, true)),
  bool: fixedFill(1, (row, value) => fixedView.setUint8(row, value ? 1 : 0)),
};

/** Frees the string heaps of a reused chunk's vectors (DuckDB keeps them until reset) and resets validity. */
export function resetChunk(chunk: duckdb.DataChunk): void {
  duckdb.data_chunk_reset(chunk);
}

export function chunkVector(chunk: duckdb.DataChunk, column: number): duckdb.Vector {
  return duckdb.data_chunk_get_vector(chunk, column);
}
