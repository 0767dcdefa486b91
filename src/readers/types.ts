// The contract between readers (bytes in, typed records out) and the store (tables, ledger).
// Readers never touch DuckDB: they yield plain records tagged with the table they belong to,
// and report damage through ReadContext.issue().
import type { Zone } from '../util/timezone.js';
import type { StoredRecord } from '../store/records.js';

export type { StoredRecord } from '../store/records.js';

/** A file to read, possibly from an offset (appended tail of a grown text log). */
export interface ByteSource {
  /** Path as given by the user; used in messages only. */
  readonly path: string;
  /** Size of the file when ingest started; readers must not read past it. */
  readonly size: number;
  /**
   * Records that start before this byte offset were ingested earlier: text readers still parse
   * the prefix for directives (`#Fields`, headers) but must not yield its records. 0 for a new file.
   */
  readonly emitFrom: number;
  /** Sequential read of [start, size) in chunks of about `chunkSize` bytes (default 1 MiB). */
  stream(start?: number, chunkSize?: number): AsyncIterable<Buffer>;
  /** Positional read; returns fewer bytes at end of file. */
  readAt(offset: number, length: number): Promise<Buffer>;
}

export type IssueSeverity = 'info' | 'warning' | 'error';

/** One problem found in an input: where (byte offset and/or line) and why. */
export interface ReaderIssue {
  severity: IssueSeverity;
  message: string;
  /** Byte offset in the file, when known. */
  offset?: number;
  /** 1-based line number for text formats. */
  line?: number;
  /** True when the problem made the reader drop a record (counts as "rejected"). */
  rejected?: boolean;
}

export interface ReadOptions {
  /** Zone for formats that log local time (`--tz`); null when not given. */
  tz: Zone | null;
  /** Carve records from slack space (EVTX `--recover`). */
  recover: boolean;
}

export interface ReadContext extends ReadOptions {
  issue(issue: ReaderIssue): void;
  /**
   * Records how timestamps of this file were normalised to UTC, e.g. "GMT as logged" or
   * "local time, zone America/New_York (--tz)". Stored in the ledger, one per file.
   */
  timeRule(rule: string): void;
}

/** A format reader. One module per format under src/readers/<format>/. */
export interface Reader {
  /** Format name, used by `--format` and stored in the ledger, e.g. `evtx`, `exchange2003-tracking`. */
  readonly name: string;
  /** Bumped when the reader's output changes; stored in the ledger. */
  readonly version: string;
  /** One line for `edgelog formats` and the README. */
  readonly description: string;
  /** Text logs can grow; only they get appended-tail ingest. */
  readonly growable: boolean;
  /** Does this file look like my format? Decided from its first bytes (up to 64 KiB), never its name. */
  sniff(head: Buffer): boolean;
  /** Stream the file's records. Must not throw on bad data: report it with ctx.issue() and go on. */
  read(source: ByteSource, ctx: ReadContext): AsyncIterable<StoredRecord>;
  /** The same records, a chunk of input at a time (batched.ts), for readers that decode by chunk. */
  readBatches?(source: ByteSource, ctx: ReadContext): AsyncIterable<readonly StoredRecord[]>;
}
