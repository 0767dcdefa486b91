// The on-disk layout of a Parquet lake written by `edgelog export --parquet DIR`:
//   DIR/edgelog-lake.json                        manifest: every table's columns and partitioning
//   DIR/<table>/source_kind=<format>/day=<YYYY-MM-DD>/data_0.parquet   data tables and the ledger
//   DIR/<table>/day=<YYYY-MM-DD>/data_0.parquet  audit history
//   DIR/<table>/data.parquet                     small unpartitioned tables (schema_version)
// Partition values are not stored inside the files (Hive convention); rows without a time go to
// day=__HIVE_DEFAULT_PARTITION__. Spark, Trino, Athena and DuckDB read this layout as it is.
import { join } from 'node:path';

export const MANIFEST = 'edgelog-lake.json';
export const LAKE_FORMAT_VERSION = 1;
export const KIND_COLUMN = 'source_kind';
export const DAY_COLUMN = 'day';

export interface LakeTable {
  /** Column name and DuckDB type, in the store's order. */
  columns: [string, string][];
  /** Hive partition columns, outermost first; empty = one file. */
  partitionBy: string[];
}

export interface LakeManifest {
  format_version: number;
  exported_at: string;
  database: string;
  /** Start of the last export (a day, UTC), null for a full export. */
  since: string | null;
  tables: Record<string, LakeTable>;
}

export function tableDir(lake: string, table: string): string {
  return join(lake, table);
}

/** Glob of a table's Parquet files (DuckDB read_parquet syntax). */
export function tableGlob(lake: string, table: string, partitioned: boolean): string {
  return partitioned ? join(tableDir(lake, table), '**', '*.parquet') : join(tableDir(lake, table), 'data.parquet');
}

/** A path or value as a SQL string literal (COPY targets and read_parquet globs cannot be bound). */
export function sqlLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
