// Records handed out per chunk. A reader that decodes a chunk of input at a time (a 1 MiB text
// chunk, an EVTX chunk) offers `readBatches`; `read` then hands the records out one at a time with
// one resolved promise each, not an async-generator resumption per record, which costs several
// times more at a million lines. The store's loaders take the batches whole (recordBatches).
import type { ByteSource, ReadContext, Reader, StoredRecord } from './types.js';

/** The items of async batches, one at a time, through a plain async iterator. */
export class BatchedItems<T> implements AsyncIterableIterator<T> {
  private batch: readonly T[] = [];
  private index = 0;

  constructor(private readonly batches: AsyncIterator<readonly T[]>) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.index < this.batch.length) return Promise.resolve({ done: false, value: this.batch[this.index++] });
    return this.nextBatch();
  }

  private async nextBatch(): Promise<IteratorResult<T>> {
    for (;;) {
      const step = await this.batches.next();
      if (step.done) return { done: true, value: undefined };
      this.batch = step.value;
      this.index = 0;
      if (this.batch.length > 0) return { done: false, value: this.batch[this.index++] };
    }
  }

  /** Early exit (break, throw in the loop body): lets the batch source close its file. */
  async return(): Promise<IteratorResult<T>> {
    this.batch = [];
    await this.batches.return?.();
    return { done: true, value: undefined };
  }
}

/** `read` for a reader defined by its batches. */
export function itemsOf<T>(batches: AsyncIterable<readonly T[]>): AsyncIterableIterator<T> {
  return new BatchedItems(batches[Symbol.asyncIterator]());
}

/** A reader's records in batches: its own when it has them, else one batch per record. */
export async function* recordBatches(reader: Reader, source: ByteSource, ctx: ReadContext): AsyncGenerator<readonly StoredRecord[]> {
  if (reader.readBatches) {
    yield* reader.readBatches(source, ctx);
    return;
  }
  for await (const record of reader.read(source, ctx)) yield [record];
}
