// Ingest: files, folders and globs in; one transaction per file; the ledger decides what is new,
// a duplicate, or the appended tail of a grown text log.
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { bufferSource, fileSource } from '../readers/byte-source.js';
import { detectReader, READERS, SNIFF_BYTES } from '../readers/registry.js';
import type { ByteSource, Reader, ReaderIssue, ReadOptions } from '../readers/types.js';
import type { StoredRecord } from './records.js';
import { BatchAppender } from './batch-appender.js';
import { readRecords, ReadingThreadOutOfMemory, stopIdleReadingThreads } from './record-reading.js';
import { fingerprint } from './fingerprint.js';
import { findDuplicate, findShorterIngests, recordFailure, recordFinish, recordStart, type LedgerStatus } from './ledger.js';
import type { Store } from './store.js';
import { markPending, refreshDerived } from '../analysis/derived/maintain.js';
import { withSettings } from './settings.js';

export type IngestStatus = LedgerStatus | 'duplicate' | 'unrecognised' | 'missing';

export interface IngestSummary {
  path: string;
  format: string | null;
  status: IngestStatus;
  fileId: number | null;
  records: number;
  rejected: number;
  issues: number;
  /** Only the appended tail of a grown file was ingested. */
  appended: boolean;
  /** Why it was skipped or failed, or what it duplicates. */
  message: string | null;
  /** Named explicitly on the command line (an unrecognised explicit file is an error). */
  explicit: boolean;
}

export interface IngestOptions extends Partial<ReadOptions> {
  /** Force a reader by name (`--format`). */
  format?: string;
  /** Readers to detect from (default: every registered reader). */
  readers?: readonly Reader[];
  /** Called as bytes are consumed, for a progress bar. */
  onProgress?: (path: string, done: number, total: number) => void;
  /** Files from this size on are parsed in a worker thread (default PARALLEL_READ_FROM). */
  parallelFrom?: number;
  /**
   * Take the new files into the derived tables at the end of the run (default true). False leaves
   * them pending for the next run or open (`ingest --defer-derived`, to load many big files first).
   */
  derive?: boolean;
}

/**
 * DuckDB settings while a file's rows are appended (measured on 250 MB tracking and IIS logs):
 * - a low memory limit: DuckDB writes the transaction's rows to the database file as it goes, so
 *   appending a multi-GB log holds bounded memory;
 * - one thread: the appends run on our thread anyway, and DuckDB's second thread only competed with
 *   the reading thread for the two cores (the load took ~8 % longer with it);
 * - no FSST string compression: analysing each row group for it cost a fifth of DuckDB's append time,
 *   and on mail logs dictionary compression wins anyway (the same database size on the scenario).
 */
const APPEND_SETTINGS: Readonly<Record<string, string>> = {
  memory_limit: '24MiB',
  threads: '1',
  disabled_compression_methods: 'fsst',
};

/** Issues stored per file; beyond this only a count is kept, so a garbage file cannot bloat the store. */
const MAX_STORED_ISSUES = 10_000;

interface Candidate {
  path: string;
  explicit: boolean;
}

/** Expands paths: files as given, folders recursively (sorted), glob patterns. */
export async function expandInputs(paths: readonly string[]): Promise<{ files: Candidate[]; missing: string[] }> {
  const files: Candidate[] = [];
  const missing: string[] = [];
  for (const input of paths) {
    const info = await stat(input).catch(() => null);
    if (info?.isDirectory()) {
      for (const file of await walk(input)) files.push({ path: file, explicit: false });
    } else if (info?.isFile()) {
      files.push({ path: input, explicit: true });
    } else if (isDynamicPattern(input)) {
      const matches = (await glob(input, { onlyFiles: true, absolute: false })).sort();
      if (matches.length === 0) missing.push(input);
      for (const m of matches) files.push({ path: m, explicit: false });
    } else {
      missing.push(input);
    }
  }
  return { files, missing };
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

export async function ingestPaths(store: Store, paths: readonly string[], options: IngestOptions = {}): Promise<IngestSummary[]> {
  const readers = options.readers ?? READERS;
  const forced = options.format === undefined ? undefined : readers.find((r) => r.name === options.format);
  if (options.format !== undefined && !forced) {
    throw new Error(`--format ${options.format}: unknown format (known: ${readers.map((r) => r.name).join(', ')})`);
  }
  const { files, missing } = await expandInputs(paths);
  const summaries: IngestSummary[] = missing.map((path) => ({
    ...emptySummary(path, true),
    status: 'missing' as const,
    message: 'no such file or directory',
  }));
  for (const file of files) summaries.push(await ingestFile(store, file, forced, readers, options));
  await stopIdleReadingThreads();
  if (options.derive ?? true) await refreshDerived(store.connection);
  return summaries;
}

function emptySummary(path: string, explicit: boolean): IngestSummary {
  return { path, format: null, status: 'failed', fileId: null, records: 0, rejected: 0, issues: 0, appended: false, message: null, explicit };
}

async function ingestFile(
  store: Store,
  file: Candidate,
  forced: Reader | undefined,
  readers: readonly Reader[],
  options: IngestOptions,
): Promise<IngestSummary> {
  const path = resolve(file.path);
  const summary = emptySummary(file.path, file.explicit);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    return { ...summary, status: 'missing', message: (error as Error).message };
  }
  const whole = await fileSource(path, 0, info.size);
  const head = await whole.readAt(0, SNIFF_BYTES);
  const { connection } = store;

  const shorter = await findShorterIngests(connection, path, info.size);
  let reader = forced ?? detectReader(head, readers);
  if (!reader) {
    return { ...summary, status: 'unrecognised', message: 'not a format edgelog reads' };
  }
  const size = reader.growable ? await completeLinesEnd(whole) : info.size;
  const source = size === info.size ? whole : await fileSource(path, 0, size);
  const print = await fingerprint(source, shorter.map((s) => s.endOffset));
  const duplicate = await findDuplicate(connection, print.sha256, size);
  if (duplicate) {
    const same = duplicate.path === path;
    return {
      ...summary,
      format: duplicate.format,
      status: 'duplicate',
      fileId: duplicate.fileId,
      message: same ? 'already ingested' : `same content as ${duplicate.path}, already ingested`,
    };
  }
  let emitFrom = 0;
  const grownFrom = reader.growable ? shorter.find((s) => print.prefixes.get(s.endOffset) === s.sha256) : undefined;
  if (grownFrom) {
    emitFrom = grownFrom.endOffset;
    reader = forced ?? readers.find((r) => r.name === grownFrom.format) ?? reader;
  }
  const tail = await fileSource(path, emitFrom, size);
  const result = await loadFromReader(store, {
    path,
    size,
    mtimeMs: info.mtimeMs,
    sha256: print.sha256,
    reader,
    source: tail,
    options: { tz: options.tz ?? null, recover: options.recover ?? false },
    parallelFrom: options.parallelFrom,
    onProgress: (done) => options.onProgress?.(file.path, done, size),
  });
  return { ...summary, ...result, format: reader.name, appended: emitFrom > 0 };
}

/** A growing text log may end mid-line; ingest up to the last line terminator only. */
async function completeLinesEnd(source: ByteSource): Promise<number> {
  const tailLength = Math.min(source.size, 64 * 1024);
  const tail = await source.readAt(source.size - tailLength, tailLength);
  const nl = tail.lastIndexOf(0x0a);
  if (nl < 0) return source.size; // one line or binary-ish: take it whole
  const utf16 = tail[nl + 1] === 0x00 && (source.size - tailLength + nl) % 2 === 0;
  return source.size - tailLength + nl + (utf16 ? 2 : 1);
}

interface LoadRequest {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  reader: Reader;
  source: ByteSource;
  options: ReadOptions;
  parallelFrom?: number;
  onProgress?: (done: number) => void;
}

type LoadResult = Pick<IngestSummary, 'status' | 'fileId' | 'records' | 'rejected' | 'issues' | 'message'>;

/**
 * One file's records into the store, in one transaction, with its ledger row and its place in the
 * derived tables' pending list (taken in once the ingest run is done: src/analysis/derived).
 */
async function loadFromReader(store: Store, req: LoadRequest): Promise<LoadResult> {
  const { connection } = store;
  const fileId = await recordStart(connection, {
    path: req.path,
    size: req.size,
    mtimeMs: req.mtimeMs,
    sha256: req.sha256,
    format: req.reader.name,
    readerVersion: req.reader.version,
    startOffset: req.source.emitFrom,
    endOffset: req.size,
  });
  const load = (retryOf: ReadingThreadOutOfMemory | null) => withSettings(connection, APPEND_SETTINGS, () => loadInTransaction(connection, fileId, req, retryOf));
  try {
    return await load(null);
  } catch (error) {
    if (!(error instanceof ReadingThreadOutOfMemory)) throw error;
    return load(error); // its rows were rolled back: the file is read again from the start
  }
}

/** `retryOf`: the lean reading thread ran out of heap on this file; it is read in a roomy one. */
async function loadInTransaction(connection: DuckDBConnection, fileId: number, req: LoadRequest, retryOf: ReadingThreadOutOfMemory | null): Promise<LoadResult> {
  await connection.run('BEGIN TRANSACTION');
  try {
    const appender = await BatchAppender.create(connection);
    const issueAppender = await connection.createAppender('ingest_issues');
    const issues = new IssueSink(fileId, issueAppender);
    if (retryOf !== null) issues.add({ severity: 'warning', message: `${retryOf.message}; the file was read again in a thread with the default limits` });
    let timeRule: string | null = null;
    const read = await readRecords(
      { reader: req.reader, source: req.source, options: req.options, fileId, parallelFrom: req.parallelFrom, onProgress: req.onProgress, roomyThread: retryOf !== null },
      {
        batch: (batch) => appender.append(batch),
        issue: (issue) => issues.add(issue),
        timeRule: (rule) => {
          timeRule = rule;
        },
      },
    );
    issues.finish();
    appender.close();
    issueAppender.closeSync();
    const { records } = read;
    await markPending(connection, fileId);
    const failed = records === 0 && issues.errors > 0;
    const status: LedgerStatus = failed ? 'failed' : issues.rejected > 0 || issues.errors > 0 ? 'partial' : 'ok';
    const message = issues.firstError;
    await recordFinish(connection, fileId, {
      status,
      records,
      rejected: issues.rejected,
      firstTime: read.firstTime,
      lastTime: read.lastTime,
      timeRule,
      message,
    });
    await connection.run('COMMIT');
    return { status, fileId, records, rejected: issues.rejected, issues: issues.count, message };
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    if (error instanceof ReadingThreadOutOfMemory) throw error; // loadFromReader reads it again
    const message = `ingest failed: ${(error as Error).message}`;
    await recordFailure(connection, fileId, message);
    return { status: 'failed', fileId, records: 0, rejected: 0, issues: 1, message };
  }
}

class IssueSink {
  count = 0;
  errors = 0;
  rejected = 0;
  firstError: string | null = null;

  constructor(
    private readonly fileId: number,
    private readonly appender: DuckDBAppender,
  ) {}

  add(issue: ReaderIssue): void {
    this.count++;
    if (issue.rejected) this.rejected++;
    if (issue.severity === 'error') {
      this.errors++;
      this.firstError ??= locate(issue);
    }
    if (this.count <= MAX_STORED_ISSUES) this.store(issue.offset ?? null, issue.line ?? null, issue.severity, issue.message);
  }

  finish(): void {
    if (this.count > MAX_STORED_ISSUES) {
      this.store(null, null, 'warning', `${this.count - MAX_STORED_ISSUES} more issues not stored (limit ${MAX_STORED_ISSUES} per file)`);
    }
  }

  private store(offset: number | null, line: number | null, severity: string, message: string): void {
    const a = this.appender;
    a.appendBigInt(BigInt(this.fileId));
    if (offset === null) a.appendNull();
    else a.appendBigInt(BigInt(offset));
    if (line === null) a.appendNull();
    else a.appendBigInt(BigInt(line));
    a.appendVarchar(severity);
    a.appendVarchar(message);
    a.endRow();
  }
}

function locate(issue: ReaderIssue): string {
  const where = issue.line !== undefined ? `line ${issue.line}` : issue.offset !== undefined ? `offset ${issue.offset}` : null;
  return where ? `${where}: ${issue.message}` : issue.message;
}


/**
 * Loads records that come from no file reader (tests, generated data) under a ledger row labelled
 * `label`, with the same transaction and ledger rules as a file.
 */
export async function loadRecords(
  store: Store,
  label: string,
  format: string,
  records: Iterable<StoredRecord> | AsyncIterable<StoredRecord>,
): Promise<LoadResult> {
  const reader: Reader = {
    name: format,
    version: 'records',
    description: 'records loaded directly',
    growable: false,
    sniff: () => false,
    read: async function* () {
      yield* records;
    },
  };
  const result = await loadFromReader(store, {
    path: label,
    size: 0,
    mtimeMs: Date.now(),
    sha256: `records:${label}:${Date.now()}:${Math.random()}`,
    reader,
    source: bufferSource(label, Buffer.alloc(0)),
    options: { tz: null, recover: false },
  });
  await refreshDerived(store.connection);
  return result;
}
