// `--lake DIR`: an in-memory DuckDB whose views carry the store's table names and column types over
// the Parquet files of an export, so `query` and the canned reports run unchanged against a lake.
// Views read the files at query time: a later incremental export is seen without reopening. The
// store's derived tables (src/analysis/derived) are views here, computed from the lake's data.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '../store/duckdb.js';
import { EdgelogError } from '../cli/errors.js';
import { quoteIdent } from '../store/ddl.js';
import { DERIVED_VIEWS } from '../store/views.js';
import { derivedViewStatements } from '../analysis/derived/maintain.js';
import { LAKE_FORMAT_VERSION, MANIFEST, tableDir, tableGlob, type LakeManifest, sqlLiteral } from './layout.js';

export interface Lake {
  readonly path: string;
  readonly readOnly: true;
  readonly connection: DuckDBConnection;
  close(): Promise<void>;
}


function hasParquet(dir: string, partitioned: boolean): boolean {
  if (!existsSync(dir)) return false;
  if (!partitioned) return existsSync(join(dir, 'data.parquet'));
  const stack = [dir];
  for (let current = stack.pop(); current !== undefined; current = stack.pop()) {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.isDirectory()) stack.push(join(current, entry.name));
      else if (entry.name.endsWith('.parquet')) return true;
    }
  }
  return false;
}

function readManifest(lake: string): LakeManifest {
  const file = join(lake, MANIFEST);
  let manifest: LakeManifest;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8')) as LakeManifest;
  } catch (error) {
    throw new EdgelogError(`${lake} is not an edgelog lake (cannot read ${MANIFEST}: ${(error as Error).message}); write one with \`edgelog export --parquet\``);
  }
  if (manifest.format_version !== LAKE_FORMAT_VERSION) {
    throw new EdgelogError(`${file}: lake format version ${manifest.format_version}, this edgelog reads ${LAKE_FORMAT_VERSION}`);
  }
  return manifest;
}

export async function openLake(dir: string): Promise<Lake> {
  const lake = resolve(dir);
  const manifest = readManifest(lake);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await DuckDBConnection.create(instance);
  try {
    for (const [name, table] of Object.entries(manifest.tables)) {
      const partitioned = table.partitionBy.length > 0;
      const casts = table.columns.map(([column, type]) => `CAST(${quoteIdent(column)} AS ${type}) AS ${quoteIdent(column)}`).join(', ');
      const from = hasParquet(tableDir(lake, name), partitioned)
        ? `read_parquet(${sqlLiteral(tableGlob(lake, name, partitioned))}${partitioned ? ', hive_partitioning = true, union_by_name = true' : ''})`
        : // No rows were exported: an empty view with the right columns.
          `(SELECT ${table.columns.map(([column]) => `NULL AS ${quoteIdent(column)}`).join(', ')} WHERE false)`;
      await connection.run(`CREATE VIEW ${quoteIdent(name)} AS SELECT ${casts} FROM ${from}`);
    }
    for (const view of DERIVED_VIEWS) await connection.run(view.sql);
    for (const statement of derivedViewStatements()) await connection.run(statement);
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw new EdgelogError(`cannot open lake ${lake}: ${(error as Error).message.split('\n')[0]}`);
  }
  return {
    path: lake,
    readOnly: true,
    connection,
    async close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
