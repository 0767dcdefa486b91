// Runs a reader over one file and hands its records, as encoded column batches, to a sink: in this
// thread, or for large files of a registered reader in a worker thread, so that parsing and
// encoding (JS) overlap with DuckDB storing the previous batches (native, on this thread).
import { Worker } from 'node:worker_threads';
import type { ByteSource, Reader, ReaderIssue, ReadOptions } from '../readers/types.js';
import { withProgress } from '../readers/byte-source.js';
import { recordBatches } from '../readers/batched.js';
import { READERS } from '../readers/registry.js';
import { RecordBatcher, transferList, type EncodedBatch } from './column-batch.js';

/** Files at least this large are read in a worker; below it a thread's start-up costs more than it saves. */
export const PARALLEL_READ_FROM = 8 << 20;

export interface BatchSink {
  batch(batch: EncodedBatch): void;
  issue(issue: ReaderIssue): void;
  timeRule(rule: string): void;
}

export interface ReadSummary {
  records: number;
  firstTime: bigint | null;
  lastTime: bigint | null;
}

/** What the worker needs to re-create the read on its side (plain data: it crosses threads). */
export interface ReadJob {
  readerName: string;
  path: string;
  emitFrom: number;
  size: number;
  tz: string | null;
  recover: boolean;
  fileId: number;
}

/** Main thread → worker: a file to read, or the acknowledgement of one stored batch, with its buffers. */
export type ToWorker = { kind: 'job'; job: ReadJob } | { kind: 'ack'; buffers: ArrayBuffer[] };

/** Worker → main thread. */
export type WorkerMessage =
  | { kind: 'batch'; batch: EncodedBatch }
  | { kind: 'issue'; issue: ReaderIssue }
  | { kind: 'timeRule'; rule: string }
  | { kind: 'progress'; done: number }
  | { kind: 'done'; summary: ReadSummary }
  | { kind: 'error'; message: string };

export interface ReadRequest {
  reader: Reader;
  source: ByteSource;
  options: ReadOptions;
  fileId: number;
  /** Read in a worker from this size on (default PARALLEL_READ_FROM); only for registered readers. */
  parallelFrom?: number;
  /**
   * Read a text log in a thread with V8's default heap limits instead of the lean text thread:
   * the retry of a read whose lean thread ran out of heap (ReadingThreadOutOfMemory).
   */
  roomyThread?: boolean;
  onProgress?: (done: number) => void;
}

export function readRecords(req: ReadRequest, sink: BatchSink): Promise<ReadSummary> {
  const parallel = READERS.includes(req.reader) && req.source.size - req.source.emitFrom >= (req.parallelFrom ?? PARALLEL_READ_FROM);
  return parallel ? readInWorker(req, sink) : readHere(req, sink);
}

async function readHere(req: ReadRequest, sink: BatchSink): Promise<ReadSummary> {
  const batcher = new RecordBatcher(req.fileId, (batch) => sink.batch(batch));
  const ctx = { ...req.options, issue: (issue: ReaderIssue) => sink.issue(issue), timeRule: (rule: string) => sink.timeRule(rule) };
  const source = req.onProgress ? withProgress(req.source, req.onProgress) : req.source;
  for await (const records of recordBatches(req.reader, source, ctx)) for (const record of records) batcher.add(record);
  batcher.finish();
  return { records: batcher.records, firstTime: batcher.firstTime, lastTime: batcher.lastTime };
}

/**
 * Young-generation size of the thread reading text logs. Their records live one ~32 KiB batch of
 * lines, and the IIS and ISA W3C readers allocate little (values come from their bytes, repeated
 * ones shared): on 250 MB logs, 8 MB peaked ~9 MB (IIS) and ~12 MB (tracking) lower than 16 MB,
 * which was itself ~20 MB lower than V8's default; the tracking load cost ~10 % more CPU. Event
 * logs keep V8's default, under which their load ran ~10 % faster.
 */
const TEXT_YOUNG_GENERATION_MB = 8;

/**
 * Old-generation cap of the text thread. A text reader holds little (a batch of lines, the open
 * sessions of a protocol log: ~8 MB live on a 500 MB IIS log), but V8 let the thread's old space
 * grow to ~30 MB of mostly garbage before collecting it; under this cap it collects sooner, and a
 * 500 MB IIS load peaked 20-35 MB lower at about the same time. A file whose reading needs more (a
 * log with thousands of long sessions open at once) stops the thread with ERR_WORKER_OUT_OF_MEMORY:
 * the load is rolled back and read again in a thread with V8's default limits (ingest.ts).
 */
const TEXT_OLD_GENERATION_MB = 48;

/** The text thread (lean heap limits) or one with V8's defaults (event logs, a text log's retry). */
type ThreadKind = 'text' | 'default';

/** Raised when the lean text thread ran out of heap: the caller may read again with `roomyThread`. */
export class ReadingThreadOutOfMemory extends Error {
  constructor() {
    super(`the reading thread ran out of its ${TEXT_OLD_GENERATION_MB} MB heap`);
    this.name = 'ReadingThreadOutOfMemory';
  }
}

/**
 * The worker's module. Run from TypeScript sources (tests, benchmarks under tsx), the worker has to
 * register tsx itself: tsx's `--import` hooks do not reach worker threads (privatenumber/tsx#354).
 */
function startWorker(kind: ThreadKind): Worker {
  // The thread gets no Node flags of this process: `-e`, `--input-type` or a test runner's flags
  // would apply to (and break) the worker's own entry.
  const resourceLimits = kind === 'text' ? { maxYoungGenerationSizeMb: TEXT_YOUNG_GENERATION_MB, maxOldGenerationSizeMb: TEXT_OLD_GENERATION_MB } : {};
  const options = { execArgv: [], resourceLimits };
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSources ? './read-worker.ts' : './read-worker.js', import.meta.url);
  if (!fromSources) return new Worker(entry, options);
  return new Worker(`import('tsx/esm/api').then((tsx) => tsx.register()).then(() => import(${JSON.stringify(entry.href)}))`, { ...options, eval: true });
}

/**
 * One reading thread of each kind kept between reads, so its compiled readers stay warm from file
 * to file of an ingest run; it does not keep the process alive while idle. A read that finds none
 * idle gets a thread of its own. An ingest run stops them when its files are loaded
 * (stopIdleReadingThreads).
 */
const idle = new Map<ThreadKind, { worker: Worker; onExit: () => void }>();

function takeWorker(kind: ThreadKind): Worker {
  const kept = idle.get(kind);
  if (!kept) return startWorker(kind);
  idle.delete(kind);
  kept.worker.off('exit', kept.onExit);
  kept.worker.ref();
  return kept.worker;
}

/**
 * Stops the idle reading threads. An idle thread still holds its heap and its pool of batch buffers
 * after a load, which the derived tables' take-in then ran on top of: stopped first, the take-in
 * after a 500 MB IIS load peaked 30-40 MB lower (325-343 MB, was 363-391).
 */
export async function stopIdleReadingThreads(): Promise<void> {
  const kept = [...idle.values()];
  idle.clear();
  await Promise.all(kept.map(({ worker, onExit }) => worker.off('exit', onExit).terminate()));
}

function releaseWorker(worker: Worker, kind: ThreadKind): void {
  worker.unref();
  if (idle.has(kind)) {
    void worker.terminate();
    return;
  }
  const onExit = () => {
    if (idle.get(kind)?.worker === worker) idle.delete(kind);
  };
  worker.once('exit', onExit);
  idle.set(kind, { worker, onExit });
}

function readInWorker(req: ReadRequest, sink: BatchSink): Promise<ReadSummary> {
  const kind: ThreadKind = req.reader.growable && !req.roomyThread ? 'text' : 'default';
  const worker = takeWorker(kind);
  const job: ReadJob = {
    readerName: req.reader.name,
    path: req.source.path,
    emitFrom: req.source.emitFrom,
    size: req.source.size,
    tz: req.options.tz?.name ?? null,
    recover: req.options.recover,
    fileId: req.fileId,
  };
  return new Promise<ReadSummary>((resolve, reject) => {
    let settled = false;
    /** A finished read hands the thread back; a failed one may have left it mid-file, so it is stopped. */
    // Only this read's own listeners come off: removeAllListeners() would also drop the ones
    // Node's Worker uses to deliver messages.
    const settle = (ok: boolean, outcome: () => void) => {
      if (settled) return;
      settled = true;
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      if (ok) releaseWorker(worker, kind);
      else void worker.terminate();
      outcome();
    };
    const onError = (error: Error) => {
      const outOfMemory = kind === 'text' && (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
      settle(false, () => reject(outOfMemory ? new ReadingThreadOutOfMemory() : error));
    };
    const onExit = (code: number) => settle(false, () => reject(new Error(`read worker stopped (exit code ${code}) before the end of the file`)));
    const onMessage = (message: WorkerMessage) => {
      if (settled) return;
      try {
        switch (message.kind) {
          case 'batch': {
            sink.batch(message.batch);
            // The sink has copied the batch into DuckDB: its buffers go back to be filled again.
            const buffers = transferList(message.batch);
            worker.postMessage({ kind: 'ack', buffers } satisfies ToWorker, buffers);
            break;
          }
          case 'issue':
            sink.issue(message.issue);
            break;
          case 'timeRule':
            sink.timeRule(message.rule);
            break;
          case 'progress':
            req.onProgress?.(message.done);
            break;
          case 'done':
            settle(true, () => resolve(message.summary));
            break;
          case 'error':
            settle(false, () => reject(new Error(message.message)));
            break;
        }
      } catch (error) {
        settle(false, () => reject(error));
      }
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    worker.postMessage({ kind: 'job', job } satisfies ToWorker);
  });
}
