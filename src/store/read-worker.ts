// Worker-thread side of a parallel read (record-reading.ts). The thread lives across files, so its
// JIT-compiled readers stay warm: for each job it runs the registered reader over the file range it
// is given and posts encoded batches, issues and progress back, holding at most MAX_IN_FLIGHT
// unacknowledged batches so memory stays bounded when DuckDB is the slower side.
import { parentPort } from 'node:worker_threads';
import { fileSource, withProgress } from '../readers/byte-source.js';
import { READERS } from '../readers/registry.js';
import { recordBatches } from '../readers/batched.js';
import type { ReaderIssue } from '../readers/types.js';
import { parseZone } from '../util/timezone.js';
import { RecordBatcher, recycleBuffers, transferList, type EncodedBatch } from './column-batch.js';
import type { ReadJob, ToWorker, WorkerMessage } from './record-reading.js';

const MAX_IN_FLIGHT = 16;
/** Progress is posted at most this often (bytes). */
const PROGRESS_STEP = 4 << 20;

const port = parentPort;
if (!port) throw new Error('read-worker.ts runs only as a worker thread');

let inFlight = 0;
let wake: (() => void) | null = null;

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

port.on('message', (message: ToWorker) => {
  if (message.kind === 'job') {
    inFlight = 0;
    run(message.job).catch((error: unknown) => post({ kind: 'error', message: error instanceof Error ? error.message : String(error) }));
    return;
  }
  inFlight--;
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
    inFlight++;
    post({ kind: 'batch', batch }, transferList(batch));
  });
  const ctx = {
    tz: job.tz === null ? null : parseZone(job.tz),
    recover: job.recover,
    issue: (issue: ReaderIssue) => post({ kind: 'issue', issue }),
    timeRule: (rule: string) => post({ kind: 'timeRule', rule }),
  };
  for await (const records of recordBatches(reader, source, ctx)) {
    for (const record of records) batcher.add(record);
    while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
  }
  batcher.finish();
  post({ kind: 'done', summary: { records: batcher.records, firstTime: batcher.firstTime, lastTime: batcher.lastTime } });
}
