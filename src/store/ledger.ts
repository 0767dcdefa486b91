// The ingest ledger: one row per ingest of a file (or of a grown file's appended tail).
// A row is written as `failed`/"interrupted" before the data transaction starts and turned into
// `ok` or `partial` inside that transaction, so a kill mid-file leaves a row that says so.
import type { DuckDBConnection } from '@duckdb/node-api';
import { isoFromNanos } from '../util/timezone.js';

export type LedgerStatus = 'ok' | 'partial' | 'failed';

export interface CoveredFile {
  fileId: number;
  path: string;
  format: string;
  endOffset: number;
  sha256: string;
}

export const INTERRUPTED = 'interrupted before completion (killed or crashed); will be redone on the next ingest';

/** A completed ingest whose content hash equals this file's: the file is a duplicate. */
export async function findDuplicate(connection: DuckDBConnection, sha256: string, size: number): Promise<CoveredFile | null> {
  const rows = (
    await connection.runAndReadAll(
      `SELECT file_id, path, format, end_offset, sha256 FROM ingest_files
       WHERE sha256 = $1 AND end_offset = $2 AND status IN ('ok', 'partial') ORDER BY file_id LIMIT 1`,
      [sha256, size],
    )
  ).getRowObjectsJson();
  return rows.length > 0 ? toCovered(rows[0]) : null;
}

/** Completed ingests of the same path that covered less than the file now holds (candidates for a tail). */
export async function findShorterIngests(connection: DuckDBConnection, path: string, size: number): Promise<CoveredFile[]> {
  const rows = (
    await connection.runAndReadAll(
      `SELECT file_id, path, format, end_offset, sha256 FROM ingest_files
       WHERE path = $1 AND end_offset < $2 AND status IN ('ok', 'partial') ORDER BY end_offset DESC`,
      [path, size],
    )
  ).getRowObjectsJson();
  return rows.map(toCovered);
}

function toCovered(row: Record<string, unknown>): CoveredFile {
  return {
    fileId: Number(row.file_id),
    path: String(row.path),
    format: String(row.format),
    endOffset: Number(row.end_offset),
    sha256: String(row.sha256),
  };
}

export interface StartedIngest {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  format: string;
  readerVersion: string;
  startOffset: number;
  endOffset: number;
}

export async function recordStart(connection: DuckDBConnection, s: StartedIngest): Promise<number> {
  const rows = (
    await connection.runAndReadAll(
      `INSERT INTO ingest_files (path, size, mtime, sha256, format, reader_version, start_offset, end_offset, started_at, status, message)
       VALUES ($1, $2, make_timestamp($3::BIGINT * 1000), $4, $5, $6, $7, $8, now()::TIMESTAMP, 'failed', $9)
       RETURNING file_id`,
      [s.path, s.size, Math.round(s.mtimeMs), s.sha256, s.format, s.readerVersion, s.startOffset, s.endOffset, INTERRUPTED],
    )
  ).getRowObjectsJson();
  return Number(rows[0].file_id);
}

export interface FinishedIngest {
  status: LedgerStatus;
  records: number;
  rejected: number;
  firstTime: bigint | null;
  lastTime: bigint | null;
  timeRule: string | null;
  message: string | null;
}

export async function recordFinish(connection: DuckDBConnection, fileId: number, f: FinishedIngest): Promise<void> {
  await connection.run(
    `UPDATE ingest_files SET status = $2, records_stored = $3, records_rejected = $4,
       first_time = $5::TIMESTAMP, last_time = $6::TIMESTAMP, time_rule = $7, message = $8,
       finished_at = now()::TIMESTAMP
     WHERE file_id = $1`,
    [
      fileId,
      f.status,
      f.records,
      f.rejected,
      f.firstTime === null ? null : isoFromNanos(f.firstTime, 6),
      f.lastTime === null ? null : isoFromNanos(f.lastTime, 6),
      f.timeRule,
      f.message,
    ],
  );
}

/** After a rollback: the ledger row keeps `failed` and says why; the error is kept as an issue. */
export async function recordFailure(connection: DuckDBConnection, fileId: number, message: string): Promise<void> {
  await connection.run(`UPDATE ingest_files SET message = $2, finished_at = now()::TIMESTAMP WHERE file_id = $1`, [fileId, message]);
  await connection.run(`INSERT INTO ingest_issues VALUES ($1, NULL, NULL, 'error', $2)`, [fileId, message]);
}
