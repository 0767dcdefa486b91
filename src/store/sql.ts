// Running SQL and reading results as JSON-safe rows (big integers and timestamps as strings).
import type { DuckDBConnection, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import type { Row } from '../cli/output.js';

export interface RowSet {
  columns: string[];
  rows: Row[];
}

export type Params = Record<string, DuckDBValue>;
export type ParamTypes = Record<string, DuckDBType | undefined>;

/** Runs every statement of `sql` and returns the last one's rows. */
export async function runSql(connection: DuckDBConnection, sql: string, params?: Params, types?: ParamTypes): Promise<RowSet> {
  const reader = await connection.runAndReadAll(sql, params, types);
  return { columns: reader.deduplicatedColumnNames(), rows: reader.getRowObjectsJson() as Row[] };
}
