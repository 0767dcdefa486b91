// Appends records to their tables through DuckDB Appenders (the measured-fastest route), one
// appender per table, created lazily and reused for the whole file.
import {
  DuckDBAppender,
  DuckDBConnection,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampValue,
} from '@duckdb/node-api';
import { TABLES, type ColumnType, type Columns, type StoredRecord, type TableDef } from './records.js';

type ColumnWriter = (appender: DuckDBAppender, value: unknown) => void;

const WRITERS: Record<ColumnType, ColumnWriter> = {
  VARCHAR: (a, v) => a.appendVarchar(v as string),
  INTEGER: (a, v) => a.appendInteger(v as number),
  BIGINT: (a, v) => a.appendBigInt(BigInt(v as number)),
  UBIGINT: (a, v) => a.appendUBigInt(v as bigint),
  DOUBLE: (a, v) => a.appendDouble(v as number),
  BOOLEAN: (a, v) => a.appendBoolean(v as boolean),
  TIMESTAMP: (a, v) => a.appendTimestamp(new DuckDBTimestampValue(floorDiv(v as bigint, 1000n))),
  TIMESTAMP_NS: (a, v) => a.appendTimestampNanoseconds(new DuckDBTimestampNanosecondsValue(v as bigint)),
  BLOB: (a, v) => a.appendBlob(v as Uint8Array),
  JSON: (a, v) => a.appendVarchar(JSON.stringify(v)),
};

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

interface PreparedColumns {
  names: string[];
  writers: ColumnWriter[];
}

function prepare(columns: Columns): PreparedColumns {
  const names = Object.keys(columns);
  return { names, writers: names.map((n) => WRITERS[columns[n]]) };
}

function appendValues(appender: DuckDBAppender, columns: PreparedColumns, row: Record<string, unknown>): void {
  const { names, writers } = columns;
  for (let i = 0; i < names.length; i++) {
    const value = row[names[i]];
    if (value === null || value === undefined) appender.appendNull();
    else writers[i](appender, value);
  }
}

interface TableAppender {
  table: TableDef;
  columns: PreparedColumns;
  appender: DuckDBAppender;
  children: { field: string; columns: PreparedColumns; appender: DuckDBAppender }[];
}

export class RecordLoader {
  private constructor(private readonly appenders: Map<string, TableAppender>) {}

  /** Opens an appender for every table, so append() can stay synchronous on the hot path. */
  static async create(connection: DuckDBConnection): Promise<RecordLoader> {
    const appenders = new Map<string, TableAppender>();
    for (const table of TABLES as readonly TableDef[]) appenders.set(table.name, await openTable(connection, table));
    return new RecordLoader(appenders);
  }

  /** Appends one record (and its child rows) under the given ledger file id and sequence number. */
  append(fileId: number, seq: number, record: StoredRecord): void {
    const target = this.appenders.get(record.table);
    if (!target) throw new Error(`record for unknown table "${record.table}"`);
    const row = record as unknown as Record<string, unknown>;
    const fid = BigInt(fileId);
    const s = BigInt(seq);
    target.appender.appendBigInt(fid);
    target.appender.appendBigInt(s);
    appendValues(target.appender, target.columns, row);
    target.appender.endRow();
    for (const child of target.children) {
      const items = row[child.field] as Record<string, unknown>[] | undefined;
      if (!items) continue;
      for (let ordinal = 0; ordinal < items.length; ordinal++) {
        child.appender.appendBigInt(fid);
        child.appender.appendBigInt(s);
        child.appender.appendInteger(ordinal);
        appendValues(child.appender, child.columns, items[ordinal]);
        child.appender.endRow();
      }
    }
  }

  /** Flushes and closes every appender; rows become visible to the transaction. */
  close(): void {
    for (const t of this.appenders.values()) {
      t.appender.closeSync();
      for (const c of t.children) c.appender.closeSync();
    }
    this.appenders.clear();
  }
}

async function openTable(connection: DuckDBConnection, table: TableDef): Promise<TableAppender> {
  const children = [];
  for (const child of table.children ?? []) {
    children.push({ field: child.field, columns: prepare(child.columns), appender: await connection.createAppender(child.table) });
  }
  return { table, columns: prepare(table.columns), appender: await connection.createAppender(table.name), children };
}
