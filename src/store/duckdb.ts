// @duckdb/node-api and its bindings, loaded with require(): importing the package as an ES module
// makes Node scan every file of it for CommonJS exports, which measured ~380 ms per process start
// against ~150 ms with require() — paid by every CLI command (`edgelog status`: 0.61 s → 0.40 s).
// Values are re-exported under their own names, types alongside, so modules use them as before.
import { createRequire } from 'node:module';
import type * as NodeApi from '@duckdb/node-api';
import type * as NodeBindings from '@duckdb/node-bindings';

const require = createRequire(import.meta.url);
const api = require('@duckdb/node-api') as typeof NodeApi;

/** The C API bindings (raw vectors and chunks), for the loader. */
export const bindings = require('@duckdb/node-bindings') as typeof NodeBindings;

export const { BIGINT, BLOB, BOOLEAN, DOUBLE, INTEGER, LIST, TIMESTAMP, TIMESTAMP_NS, UBIGINT, VARCHAR, listValue, timestampValue } = api;

export const DuckDBInstance = api.DuckDBInstance;
export type DuckDBInstance = NodeApi.DuckDBInstance;
export const DuckDBConnection = api.DuckDBConnection;
export type DuckDBConnection = NodeApi.DuckDBConnection;
export const DuckDBDataChunk = api.DuckDBDataChunk;
export type DuckDBDataChunk = NodeApi.DuckDBDataChunk;
export const DuckDBTimestampValue = api.DuckDBTimestampValue;
export type DuckDBTimestampValue = NodeApi.DuckDBTimestampValue;
export type { DuckDBAppender, DuckDBType, DuckDBValue } from '@duckdb/node-api';
