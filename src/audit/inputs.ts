// Step 1 of an audit: every file under the configured folders that the ledger does not already
// cover is handed to the ingest. A file whose path, size and modification time equal a completed
// ledger entry is known unchanged without reading it; everything else goes through the ingest,
// whose content hashes decide between new, grown and duplicate.
import { stat } from 'node:fs/promises';
import { glob } from 'tinyglobby';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ingestPaths, type IngestOptions, type IngestSummary } from '../store/ingest.js';
import { runSql } from '../store/sql.js';
import type { Store } from '../store/store.js';
import { parseZone } from '../util/timezone.js';
import type { FolderConfig } from './config.js';

export interface FolderResult {
  folder: FolderConfig;
  /** Files found under the folder (after globs). */
  found: number;
  /** Skipped by path, size and mtime without reading them. */
  unchanged: number;
  /** What the ingest did with the other files. */
  ingested: IngestSummary[];
  /** The folder itself is missing or unreadable. */
  missing: string | null;
}

async function listFolder(folder: FolderConfig): Promise<{ files: string[]; missing: string | null }> {
  const info = await stat(folder.path).catch((error: Error) => error);
  if (info instanceof Error) return { files: [], missing: info.message };
  if (info.isFile()) return { files: [folder.path], missing: null };
  const files = await glob(folder.globs, { cwd: folder.path, absolute: true, onlyFiles: true, dot: false });
  return { files: files.sort(), missing: null };
}

/** Paths with a completed ledger entry of the same size and mtime (to the millisecond). */
async function unchangedFiles(connection: DuckDBConnection, files: string[]): Promise<Set<string>> {
  const known = (
    await runSql(
      connection,
      `SELECT path, size, epoch_ms(mtime) AS mtime_ms FROM ingest_files
       WHERE status IN ('ok', 'partial') AND end_offset = size`,
    )
  ).rows;
  const byPath = new Map<string, Set<string>>();
  for (const row of known) {
    const key = `${row.size}:${row.mtime_ms}`;
    byPath.set(String(row.path), (byPath.get(String(row.path)) ?? new Set()).add(key));
  }
  const same = new Set<string>();
  for (const file of files) {
    const keys = byPath.get(file);
    if (!keys) continue;
    const info = await stat(file).catch(() => null);
    if (info && keys.has(`${info.size}:${Math.round(info.mtimeMs)}`)) same.add(file);
  }
  return same;
}

export async function ingestFolders(
  store: Store,
  folders: FolderConfig[],
  hooks: Pick<IngestOptions, 'onProgress'> = {},
): Promise<FolderResult[]> {
  const results: FolderResult[] = [];
  for (const folder of folders) {
    const { files, missing } = await listFolder(folder);
    const same = await unchangedFiles(store.connection, files);
    const todo = files.filter((f) => !same.has(f));
    const ingested =
      todo.length === 0
        ? []
        : await ingestPaths(store, todo, {
            format: folder.format ?? undefined,
            tz: folder.tz === null ? null : parseZone(folder.tz),
            recover: folder.recover,
            ...hooks,
          });
    results.push({ folder, found: files.length, unchanged: same.size, ingested, missing });
  }
  return results;
}
