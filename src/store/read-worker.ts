// Worker-thread side of a parallel read (record-reading.ts). The thread lives across files, so its
// JIT-compiled readers stay warm: for each job it runs the registered reader over the file range it
// is given and posts encoded batches, issues and progress back, holding a bounded number of
// unacknowledged batches (mayPost) so memory stays bounded when DuckDB is the slower side.
import { parentPort } from 'node:worker_threads';
import { fileSource, withProgress } from '../readers/byte-source.js';
import { READERS } from '../readers/registry.js';
import { recordBatches } from '../readers/batched.js';
import type { ReaderIssue } from '../readers/types.js';
import { parseZone } from '../util/timezone.js';
import { RecordBatcher, recycleBuffers, transferList, type EncodedBatch } from './column-batch.js';
import type { ReadJob, ToWorker, WorkerMessage } from './record-reading.js';

/**
 * Batches posted and not yet stored: up to MIN_IN_FLIGHT batches, and beyond that up to
 * MAX_IN_FLIGHT_BYTES. DuckDB stores in bursts (a full row group is compressed and written at once);
 * on a 250 MB IIS log (batches of ~0.5 MB), 16 in flight left the reading thread waiting ~1.5 s in
 * 36 stalls while the storing thread went idle in between, and 16 MiB (~33 batches) absorbed most
 * of it. Event-log batches (~2 MB) keep their 16.
 */
const MIN_IN_FLIGHT = 16;
const MAX_IN_FLIGHT_BYTES = 16 << 20;
/** Progress is posted at most this often (bytes). */
const PROGRESS_STEP = 4 << 20;

const port = parentPort;
if (!port) throw new Error('read-worker.ts runs only as a worker thread');

let inFlight = 0;
let inFlightBytes = 0;
let wake: (() => void) | null = null;

const mayPost = () => inFlight < MIN_IN_FLIGHT || inFlightBytes < MAX_IN_FLIGHT_BYTES;

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

port.on('message', (message: ToWorker) => {
  if (message.kind === 'job') {
    inFlight = 0;
    inFlightBytes = 0;
    run(message.job).catch((error: unknown) => post({ kind: 'error', message: error instanceof Error ? error.message : String(error) }));
    return;
  }
  inFlight--;
  inFlightBytes -= byteLength(message.buffers);
  recycleBuffers(message.buffers);
  wake?.();
  wake = null;
});

async function run(job: ReadJob): Promise<void> {
  const reader = READERS.find((r) => r.name === job.readerName);
  if (!reader) throw new Error(`no reader named ${job.readerName}`);
  let reported = 0;
  const source = withProgress(await fileSource(job.path, job.emitFrom, job.size), (done) => {
    if (done - reported < PROGRESS_STEP && done < job.size) return;
    reported = done;
    post({ kind: 'progress', done });
  });
  const batcher = new RecordBatcher(job.fileId, (batch: EncodedBatch) => {
    const buffers = transferList(batch);
    inFlight++;
    inFlightBytes += byteLength(buffers);
    post({ kind: 'batch', batch }, buffers);
  });
  const ctx = {
    tz: job.tz === null ? null : parseZone(job.tz),
    recover: job.recover,
    issue: (issue: ReaderIssue) => post({ kind: 'issue', issue }),
    timeRule: (rule: string) => post({ kind: 'timeRule', rule }),
  };
  for await (const records of recordBatches(reader, source, ctx)) {
    for (const record of records) batcher.add(record);
    while (!mayPost()) await new Promise<void>((resolve) => (wake = resolve));
  }
  batcher.finish();
  post({ kind: 'done', summary: { records: batcher.records, firstTime: batcher.firstTime, lastTime: batcher.lastTime } });
}

function byteLength(buffers: readonly ArrayBuffer[]): number {
  let bytes = 0;
  for (const buffer of buffers) bytes += buffer.byteLength;
  return bytes;
}
