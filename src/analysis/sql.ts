// Running the diagnosis queries: every value is bound (lists of kinds and codes from the rules
// table as LIST(VARCHAR), the window as TIMESTAMP), and rows come back as plain JS objects.
import {
  BIGINT,
  DOUBLE,
  LIST,
  TIMESTAMP,
  VARCHAR,
  listValue,
  timestampValue,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
} from '../store/duckdb.js';

/** Evidence window in ns since the epoch (UTC); null = open end. */
export interface Window {
  since: bigint | null;
  until: bigint | null;
}

export type Param = string[] | string | number | { timestampNs: bigint | null } | { bigint: bigint };

export type Row = Record<string, unknown>;

function bind(param: Param): [DuckDBValue, DuckDBType] {
  if (Array.isArray(param)) return [listValue(param), LIST(VARCHAR)];
  if (typeof param === 'string') return [param, VARCHAR];
  if (typeof param === 'number') return [param, DOUBLE];
  if ('bigint' in param) return [param.bigint, BIGINT];
  return [param.timestampNs === null ? null : timestampValue(param.timestampNs / 1000n), TIMESTAMP];
}

export async function queryRows<T extends object = Row>(
  connection: DuckDBConnection,
  sql: string,
  params: Record<string, Param> = {},
): Promise<T[]> {
  const { values, types } = bindAll(sql, params);
  const reader = await connection.runAndReadAll(sql, values, types);
  return reader.getRowObjectsJS() as T[];
}

function bindAll(sql: string, params: Record<string, Param>): { values: Record<string, DuckDBValue>; types: Record<string, DuckDBType> } {
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  for (const [name, param] of Object.entries(params)) {
    // Bind only what the statement uses: DuckDB rejects unused named parameters.
    if (!new RegExp(`\\$${name}\\b`).test(sql)) continue;
    [values[name], types[name]] = bind(param);
  }
  return { values, types };
}

/** `$since`/`$until` bound as TIMESTAMP params. */
export function windowParams(window: Window): Record<string, Param> {
  return { since: { timestampNs: window.since }, until: { timestampNs: window.until } };
}

/** SQL condition keeping `column` inside the bound window [`$since`, `$until`) (rows without a time only when the window is open). */
export function inWindow(column: string): string {
  return `(($since IS NULL OR ${column} >= $since) AND ($until IS NULL OR ${column} < $until))`;
}
