// `edgelog export --parquet DIR [--since T]`: every table of the store as Parquet, Hive-partitioned
// by source kind (the reader that produced the rows, from the ledger) and day (of the table's time
// column). A full export is written beside the old one and swapped in table by table; with
// --since, the day partitions from that day on are deleted and rewritten, so repeating an
// incremental export never duplicates rows. Rows without a time are exported by full exports only.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from '../store/ddl.js';
import { TABLES } from '../store/records.js';
import { runSql } from '../store/sql.js';
import { isoFromNanos } from '../util/timezone.js';
import { DERIVED_TABLE_NAMES } from '../analysis/derived/maintain.js';
import { DAY_COLUMN, KIND_COLUMN, LAKE_FORMAT_VERSION, MANIFEST, tableDir, type LakeManifest, type LakeTable, sqlLiteral } from './layout.js';

export interface ExportOptions {
  /** Export rows from the UTC day of this instant on (ns); null = everything. */
  since: bigint | null;
  /** Database path, recorded in the manifest. */
  database: string;
}

export interface ExportedTable {
  table: string;
  rows: number;
  partitionBy: string[];
}

const dayOf = (column: string): string => `strftime(${column}, '%Y-%m-%d')`;

interface TableSource {
  /** SELECT producing the table's columns plus the partition columns. */
  select: string;
  partitionBy: string[];
}

/** How each table is partitioned; `sinceDay` limits data tables to days >= it. */
function sources(sinceDay: string | null): Map<string, TableSource> {
  const since = (column: string) => (sinceDay === null ? '' : ` WHERE ${column} >= ${sqlLiteral(sinceDay)}::TIMESTAMP`);
  const both = [KIND_COLUMN, DAY_COLUMN];
  const map = new Map<string, TableSource>();
  for (const t of TABLES) {
    const time = `d.${quoteIdent(t.timeColumn)}`;
    map.set(t.name, {
      select: `SELECT d.*, f.format AS ${KIND_COLUMN}, ${dayOf(time)} AS ${DAY_COLUMN}
                 FROM ${quoteIdent(t.name)} d LEFT JOIN ingest_files f ON f.file_id = d.file_id${since(time)}`,
      partitionBy: both,
    });
    for (const child of 'children' in t ? t.children : []) {
      const parentTime = `p.${quoteIdent(t.timeColumn)}`;
      map.set(child.table, {
        select: `SELECT c.*, f.format AS ${KIND_COLUMN}, ${dayOf(parentTime)} AS ${DAY_COLUMN}
                   FROM ${quoteIdent(child.table)} c
                   LEFT JOIN ${quoteIdent(t.name)} p ON p.file_id = c.file_id AND p.seq = c.seq
                   LEFT JOIN ingest_files f ON f.file_id = c.file_id${since(parentTime)}`,
        partitionBy: both,
      });
    }
  }
  map.set('ingest_files', { select: `SELECT d.*, d.format AS ${KIND_COLUMN}, ${dayOf('d.started_at')} AS ${DAY_COLUMN} FROM ingest_files d`, partitionBy: both });
  map.set('ingest_issues', {
    select: `SELECT d.*, f.format AS ${KIND_COLUMN}, ${dayOf('f.started_at')} AS ${DAY_COLUMN}
               FROM ingest_issues d LEFT JOIN ingest_files f ON f.file_id = d.file_id`,
    partitionBy: both,
  });
  map.set('audit_runs', { select: `SELECT d.*, ${dayOf('d.started_at')} AS ${DAY_COLUMN} FROM audit_runs d`, partitionBy: [DAY_COLUMN] });
  map.set('audit_findings', {
    select: `SELECT d.*, ${dayOf('r.started_at')} AS ${DAY_COLUMN} FROM audit_findings d LEFT JOIN audit_runs r ON r.run_id = d.run_id`,
    partitionBy: [DAY_COLUMN],
  });
  return map;
}

/** Data tables (and their children) follow --since; the ledger and audit tables are small and always whole. */
const INCREMENTAL = new Set<string>(TABLES.flatMap((t) => [t.name, ...('children' in t ? t.children.map((c) => c.table) : [])]));

async function storeTables(connection: DuckDBConnection): Promise<Map<string, [string, string][]>> {
  const rows = (
    await runSql(
      connection,
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'main' AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE')
        ORDER BY table_name, ordinal_position`,
    )
  ).rows;
  const tables = new Map<string, [string, string][]>();
  for (const r of rows) {
    const name = String(r.table_name);
    // Derived tables are recomputed from the data: a lake gets them as views (lake.ts).
    if (DERIVED_TABLE_NAMES.includes(name)) continue;
    tables.set(name, [...(tables.get(name) ?? []), [String(r.column_name), String(r.data_type)]]);
  }
  return tables;
}

async function copyTo(connection: DuckDBConnection, select: string, target: string, partitionBy: string[]): Promise<number> {
  const options =
    partitionBy.length > 0
      ? `FORMAT parquet, PARTITION_BY (${partitionBy.join(', ')}), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'data_{i}'`
      : 'FORMAT parquet';
  const reader = await connection.runAndReadAll(`COPY (${select}) TO ${sqlLiteral(target)} (${options})`);
  return Number(reader.getRowsJson()[0]?.[0] ?? 0);
}

/** Deletes `day=` partitions on or after `sinceDay` under every source-kind folder of a table. */
function dropDaysFrom(dir: string, sinceDay: string): void {
  if (!existsSync(dir)) return;
  for (const kind of readdirSync(dir)) {
    const kindDir = join(dir, kind);
    for (const day of readdirSync(kindDir)) {
      const value = day.replace(/^day=/, '');
      if (/^\d{4}-\d{2}-\d{2}$/.test(value) && value >= sinceDay) rmSync(join(kindDir, day), { recursive: true, force: true });
    }
  }
}

export async function exportParquet(connection: DuckDBConnection, lake: string, options: ExportOptions): Promise<ExportedTable[]> {
  const sinceDay = options.since === null ? null : isoFromNanos(options.since, 0).slice(0, 10);
  const plan = sources(sinceDay);
  const tables = await storeTables(connection);
  mkdirSync(lake, { recursive: true });
  const staging = join(lake, `.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  const manifest: LakeManifest = {
    format_version: LAKE_FORMAT_VERSION,
    exported_at: new Date().toISOString(),
    database: options.database,
    since: sinceDay,
    tables: {},
  };
  const done: ExportedTable[] = [];
  try {
    for (const [name, columns] of tables) {
      const source = plan.get(name) ?? { select: `SELECT * FROM ${quoteIdent(name)}`, partitionBy: [] };
      if (columns.some(([c]) => c === KIND_COLUMN || c === DAY_COLUMN)) {
        throw new Error(`table ${name} has a column named ${KIND_COLUMN} or ${DAY_COLUMN}, which the lake uses for partitions`);
      }
      const entry: LakeTable = { columns, partitionBy: source.partitionBy };
      manifest.tables[name] = entry;
      const finalDir = tableDir(lake, name);
      if (sinceDay !== null && INCREMENTAL.has(name)) {
        dropDaysFrom(finalDir, sinceDay);
        mkdirSync(finalDir, { recursive: true });
        done.push({ table: name, rows: await copyTo(connection, source.select, finalDir, entry.partitionBy), partitionBy: entry.partitionBy });
        continue;
      }
      const staged = join(staging, name);
      mkdirSync(staged);
      const target = entry.partitionBy.length > 0 ? staged : join(staged, 'data.parquet');
      const rows = await copyTo(connection, source.select, target, entry.partitionBy);
      const old = join(staging, `${name}.old`);
      if (existsSync(finalDir)) renameSync(finalDir, old);
      renameSync(staged, finalDir);
      rmSync(old, { recursive: true, force: true });
      done.push({ table: name, rows, partitionBy: entry.partitionBy });
    }
    writeFileSync(join(lake, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return done;
}
