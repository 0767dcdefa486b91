// Appends records to their tables through DuckDB Appenders fed with column-wise DataChunks: values
// are gathered per column in plain arrays and handed over 2048 rows at a time through one reused
// chunk whose vectors are filled by vector-fill.ts (a few native calls per column, not per value).
import { BIGINT, BLOB, BOOLEAN, DOUBLE, DuckDBAppender, DuckDBConnection, DuckDBDataChunk, INTEGER, TIMESTAMP, TIMESTAMP_NS, UBIGINT, VARCHAR, type DuckDBType } from '@duckdb/node-api';
import { TABLES, type ColumnType, type Columns, type StoredRecord, type TableDef } from './records.js';
import { CHUNK_ROWS, chunkVector, FILLS, resetChunk, type FillKind, type VectorFill } from './vector-fill.js';

interface ColumnCodec {
  type: DuckDBType;
  fill: FillKind;
}

const CODECS: Record<ColumnType, ColumnCodec> = {
  VARCHAR: { type: VARCHAR, fill: 'string' },
  INTEGER: { type: INTEGER, fill: 'int32' },
  BIGINT: { type: BIGINT, fill: 'int64' },
  UBIGINT: { type: UBIGINT, fill: 'int64' },
  DOUBLE: { type: DOUBLE, fill: 'float64' },
  BOOLEAN: { type: BOOLEAN, fill: 'bool' },
  TIMESTAMP: { type: TIMESTAMP, fill: 'micros' },
  TIMESTAMP_NS: { type: TIMESTAMP_NS, fill: 'int64' },
  BLOB: { type: BLOB, fill: 'blob' },
  JSON: { type: VARCHAR, fill: 'json' },
};

/** The leading key columns (file_id, seq[, ordinal]) that the caller fills. */
const KEY_CODECS: ColumnCodec[] = [CODECS.BIGINT, CODECS.BIGINT, CODECS.INTEGER];

/** One table's pending rows, column by column, and the appender they go to. */
class ColumnBuffer {
  private readonly names: string[];
  private readonly fills: VectorFill[];
  private readonly columns: unknown[][];
  private readonly chunk: DuckDBDataChunk;
  private rows = 0;

  constructor(
    private readonly appender: DuckDBAppender,
    columns: Columns,
    keyCount: number,
  ) {
    this.names = Object.keys(columns);
    const codecs = [...KEY_CODECS.slice(0, keyCount), ...this.names.map((n) => CODECS[columns[n]])];
    this.fills = codecs.map((c) => FILLS[c.fill]);
    this.columns = codecs.map(() => new Array<unknown>(CHUNK_ROWS));
    this.chunk = DuckDBDataChunk.create(
      codecs.map((c) => c.type),
      CHUNK_ROWS,
    );
  }

  add(keys: readonly number[], row: Record<string, unknown>): void {
    const at = this.rows;
    const columns = this.columns;
    for (let k = 0; k < keys.length; k++) columns[k][at] = keys[k];
    const offset = keys.length;
    for (let i = 0; i < this.names.length; i++) columns[offset + i][at] = row[this.names[i]];
    if (++this.rows === CHUNK_ROWS) this.flush();
  }

  flush(): void {
    if (this.rows === 0) return;
    const raw = this.chunk.chunk;
    resetChunk(raw);
    for (let c = 0; c < this.columns.length; c++) this.fills[c](chunkVector(raw, c), this.columns[c], this.rows);
    this.chunk.rowCount = this.rows;
    this.appender.appendDataChunk(this.chunk);
    // Hand the rows to the transaction now: the appender's own buffer (~200k rows) sits outside
    // DuckDB's memory limit, while the transaction's rows can be written out under it.
    this.appender.flushSync();
    for (const column of this.columns) column.fill(undefined, 0, this.rows); // let the batch's values be collected
    this.rows = 0;
  }

  close(): void {
    this.flush();
    resetChunk(this.chunk.chunk);
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
        children.push({ field: child.field, buffer: new ColumnBuffer(appender, child.columns, 3) });
      }
      const main = new ColumnBuffer(await connection.createAppender(table.name), table.columns, 2);
      targets.set(table.name, { main, children });
    }
    return new RecordLoader(targets);
  }

  /** Buffers one record (and its child rows) under the given ledger file id and sequence number. */
  append(fileId: number, seq: number, record: StoredRecord): void {
    const target = this.targets.get(record.table);
    if (!target) throw new Error(`record for unknown table "${record.table}"`);
    const row = record as unknown as Record<string, unknown>;
    target.main.add([fileId, seq], row);
    for (const child of target.children) {
      const items = row[child.field] as Record<string, unknown>[] | undefined;
      if (!items) continue;
      for (let ordinal = 0; ordinal < items.length; ordinal++) child.buffer.add([fileId, seq, ordinal], items[ordinal]);
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
