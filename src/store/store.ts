// Opening the one DuckDB file edgelog keeps: lock errors become a clear message, the schema is
// migrated on a writable open, a file from a newer edgelog is refused, and derived tables left
// behind (an ingest killed before it took its files in, changed definitions) are brought up to date.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from './duckdb.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { derivedBehind, refreshDerived } from '../analysis/derived/maintain.js';

export const DEFAULT_DB = 'edgelog.duckdb';

export class StoreError extends Error {
  override name = 'StoreError';
}

export interface Store {
  readonly path: string;
  readonly readOnly: boolean;
  readonly connection: DuckDBConnection;
  close(): Promise<void>;
}

export interface OpenOptions {
  readOnly?: boolean;
}

/** The database path from `--db`, else EDGELOG_DB, else ./edgelog.duckdb. */
export function resolveDbPath(option?: string): string {
  return resolve(option ?? process.env.EDGELOG_DB ?? DEFAULT_DB);
}

export async function openStore(path: string, options: OpenOptions = {}): Promise<Store> {
  const store = await openOnce(path, options.readOnly ?? false);
  if (!store.readOnly || !(await behind(store))) return store;
  // A read-only open cannot write the derived tables: open for writing once to catch them up.
  await store.close();
  await (await openOnce(path, false)).close();
  return openOnce(path, true);
}

async function behind(store: Store): Promise<boolean> {
  try {
    return await derivedBehind(store.connection);
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function openOnce(path: string, readOnly: boolean): Promise<Store> {
  if (readOnly && !existsSync(path)) {
    throw new StoreError(`no database at ${path} (run \`edgelog ingest\` first, or give --db)`);
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, readOnly ? { access_mode: 'READ_ONLY' } : {});
  } catch (error) {
    throw translateOpenError(path, error);
  }
  const connection = await DuckDBConnection.create(instance);
  const store: Store = {
    path,
    readOnly,
    connection,
    async close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
  try {
    if (readOnly) await checkVersion(store);
    else {
      await migrate(store);
      await refreshDerived(connection);
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function translateOpenError(path: string, error: unknown): Error {
  const text = error instanceof Error ? error.message : String(error);
  if (/Could not set lock|Conflicting lock/i.test(text)) {
    return new StoreError(`database ${path} is in use by another edgelog process`);
  }
  if (/not a valid DuckDB database|Unable to open|Invalid Input Error/i.test(text)) {
    return new StoreError(`cannot open database ${path}: ${firstLine(text)}`);
  }
  return new StoreError(`cannot open database ${path}: ${firstLine(text)}`);
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}

async function currentVersion(store: Store): Promise<number> {
  const exists = await store.connection.runAndReadAll(
    "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'schema_version' AND table_schema = 'main'",
  );
  if (Number(exists.getRowObjectsJson()[0].n) === 0) return 0;
  const rows = (await store.connection.runAndReadAll('SELECT max(version) AS v FROM schema_version')).getRowObjectsJson();
  return Number(rows[0].v ?? 0);
}

function refuseNewer(store: Store, version: number): void {
  if (version > SCHEMA_VERSION) {
    throw new StoreError(
      `database ${store.path} has schema version ${version}, newer than this edgelog understands (${SCHEMA_VERSION}); upgrade edgelog`,
    );
  }
}

async function checkVersion(store: Store): Promise<void> {
  const version = await currentVersion(store);
  refuseNewer(store, version);
  if (version < SCHEMA_VERSION) {
    throw new StoreError(
      `database ${store.path} has schema version ${version}; run any writing command (e.g. \`edgelog ingest\`) to migrate it to ${SCHEMA_VERSION}`,
    );
  }
}

async function migrate(store: Store): Promise<void> {
  const { connection } = store;
  let version = await currentVersion(store);
  refuseNewer(store, version);
  if (version === 0) {
    await connection.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL, description VARCHAR)');
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= version) continue;
    await connection.run('BEGIN TRANSACTION');
    try {
      for (const statement of migration.statements) await connection.run(statement);
      await connection.run('INSERT INTO schema_version VALUES ($1, now()::TIMESTAMP, $2)', [migration.version, migration.description]);
      await connection.run('COMMIT');
    } catch (error) {
      await connection.run('ROLLBACK');
      throw new StoreError(`migrating ${store.path} to schema version ${migration.version} failed: ${(error as Error).message}`);
    }
    version = migration.version;
  }
}
