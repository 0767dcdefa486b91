// What every command shares: global options, opening the store, the output format.
import type { Command } from 'commander';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openStore, resolveDbPath, type Store } from '../store/store.js';
import { openLake } from '../export/lake.js';
import { parseZone, type Zone } from '../util/timezone.js';
import { EdgelogError } from './errors.js';
import { OUTPUT_FORMATS, resolveFormat, type OutputFormat } from './output.js';

export interface GlobalOptions {
  db?: string;
  debug?: boolean;
}

export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** Opens the store named by --db / EDGELOG_DB, runs `work`, always closes it. */
export async function withStore<T>(command: Command, readOnly: boolean, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(resolveDbPath(globals(command).db), { readOnly });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Runs read-only `work` over a Parquet lake (`--lake DIR`) when given, else over the store. */
export async function withReadable<T>(command: Command, lakeDir: string | undefined, work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  if (lakeDir === undefined) return withStore(command, true, (store) => work(store.connection));
  const lake = await openLake(lakeDir);
  try {
    return await work(lake.connection);
  } finally {
    await lake.close();
  }
}

export function addFormatOption(command: Command, formats: readonly string[] = OUTPUT_FORMATS): Command {
  return command.option('--format <format>', `output format: ${formats.join('|')} (default: table on a terminal, else csv)`);
}

export function outputFormat(value: string | undefined): OutputFormat {
  return resolveFormat(value);
}

export function zoneOption(value: string | undefined): Zone | null {
  if (value === undefined) return null;
  try {
    return parseZone(value);
  } catch (error) {
    throw new EdgelogError((error as Error).message);
  }
}

/** Collects repeated `--param KEY=VALUE` options. */
export function collectKeyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new EdgelogError(`--param ${value}: expected KEY=VALUE`);
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1) };
}
