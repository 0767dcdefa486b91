// Step 1 of an audit: every file under the configured folders that the ledger does not already
// cover is handed to the ingest. A file whose path, size and modification time equal a completed
// ledger entry is known unchanged without reading it; everything else goes through the ingest,
// whose content hashes decide between new, grown and duplicate. Files the ingest found in no
// format edgelog reads are remembered the same way (audit_unrecognised_files), so an unchanged
// one is not sniffed again every night.
import { statSync, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { glob } from 'tinyglobby';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { IngestOptions, IngestSummary } from '../store/ingest.js';
import { runSql } from '../store/sql.js';
import type { Store } from '../store/store.js';
import { parseZone } from '../util/timezone.js';
import type { FolderConfig } from './config.js';
import { EDGELOG_VERSION } from './version.js';

/** What "unchanged" compares: a file's size and modification time (to the millisecond). */
interface FileStamp {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface FolderResult {
  folder: FolderConfig;
  /** Files found under the folder (after globs). */
  found: number;
  /** Skipped by path, size and mtime without reading them. */
  unchanged: number;
  /** Skipped likewise because an earlier run found them in no format edgelog reads. */
  stillUnrecognised: number;
  /** What the ingest did with the other files. */
  ingested: IngestSummary[];
  /** The files now known to be in no format edgelog reads (skipped or just found). */
  unrecognised: FileStamp[];
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

const stampKey = (size: number, mtimeMs: number): string => `${size}:${mtimeMs}`;

interface KnownFiles {
  /** path → stamps of its completed ledger entries. */
  ingested: Map<string, Set<string>>;
  /** path → stamp of the file this edgelog release found unrecognised. */
  unrecognised: Map<string, string>;
}

async function knownFiles(connection: DuckDBConnection): Promise<KnownFiles> {
  const rows = (
    await runSql(
      connection,
      `SELECT path, size, epoch_ms(mtime) AS mtime_ms, false AS unrecognised FROM ingest_files
        WHERE status IN ('ok', 'partial') AND end_offset = size
       UNION ALL
       SELECT path, size, mtime_ms, true FROM audit_unrecognised_files WHERE edgelog_version = $version`,
      { version: EDGELOG_VERSION },
    )
  ).rows;
  const known: KnownFiles = { ingested: new Map(), unrecognised: new Map() };
  for (const row of rows) {
    const path = String(row.path);
    const key = stampKey(Number(row.size), Number(row.mtime_ms));
    if (row.unrecognised === true) known.unrecognised.set(path, key);
    else known.ingested.set(path, (known.ingested.get(path) ?? new Set()).add(key));
  }
  return known;
}

/** Synchronous: a stat is far cheaper than a round trip through the thread pool. */
function stamps(files: string[]): FileStamp[] {
  return files.map((path) => {
    const info = statOrNull(path);
    return { path, size: info?.size ?? -1, mtimeMs: Math.round(info?.mtimeMs ?? -1) };
  });
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null; // gone or unreadable since it was listed: the ingest reports it
  }
}

/** A folder's files as found on disk, stamped. */
export interface FolderListing {
  folder: FolderConfig;
  files: FileStamp[];
  missing: string | null;
}

/** Needs no database: an audit lists its folders while the store opens. */
export async function listFolders(folders: FolderConfig[]): Promise<FolderListing[]> {
  return Promise.all(
    folders.map(async (folder) => {
      const { files, missing } = await listFolder(folder);
      return { folder, files: stamps(files), missing };
    }),
  );
}

export async function ingestFolders(
  store: Store,
  listings: FolderListing[],
  hooks: Pick<IngestOptions, 'onProgress'> = {},
): Promise<FolderResult[]> {
  const results: FolderResult[] = [];
  // Read once for all folders; again only after an ingest changed it (folders may overlap).
  let known: KnownFiles | null = null;
  for (const { folder, files: found, missing } of listings) {
    known ??= await knownFiles(store.connection);
    const { ingested: completed, unrecognised: skippable } = known;
    const unchanged = found.filter((f) => completed.get(f.path)?.has(stampKey(f.size, f.mtimeMs)));
    // A forced reader never finds a file unrecognised: the memory applies to detection only.
    const stillUnrecognised = folder.format === null ? found.filter((f) => skippable.get(f.path) === stampKey(f.size, f.mtimeMs)) : [];
    const skipped = new Set([...unchanged, ...stillUnrecognised]);
    const todo = found.filter((f) => !skipped.has(f));
    let ingested: IngestSummary[] = [];
    if (todo.length > 0) {
      // The readers load only when there is something to read.
      const { ingestPaths } = await import('../store/ingest.js');
      ingested = await ingestPaths(
        store,
        todo.map((f) => f.path),
        { format: folder.format ?? undefined, tz: folder.tz === null ? null : parseZone(folder.tz), recover: folder.recover, ...hooks },
      );
      known = null;
    }
    const newlyUnrecognised = new Set(ingested.filter((s) => s.status === 'unrecognised').map((s) => s.path));
    results.push({
      folder,
      found: found.length,
      unchanged: unchanged.length,
      stillUnrecognised: stillUnrecognised.length,
      ingested,
      unrecognised: [...stillUnrecognised, ...todo.filter((f) => newlyUnrecognised.has(f.path))],
      missing,
    });
  }
  return results;
}

/**
 * Replaces the remembered unrecognised files with this run's, in the caller's transaction. Only a
 * run that read files can have changed them.
 */
export async function rememberUnrecognised(connection: DuckDBConnection, results: FolderResult[]): Promise<void> {
  if (results.every((r) => r.ingested.length === 0)) return;
  await connection.run('DELETE FROM audit_unrecognised_files');
  const appender = await connection.createAppender('audit_unrecognised_files');
  for (const file of new Map(results.flatMap((r) => r.unrecognised).map((f) => [f.path, f])).values()) {
    appender.appendVarchar(file.path);
    appender.appendBigInt(BigInt(file.size));
    appender.appendBigInt(BigInt(file.mtimeMs));
    appender.appendVarchar(EDGELOG_VERSION);
    appender.endRow();
  }
  appender.closeSync();
}
