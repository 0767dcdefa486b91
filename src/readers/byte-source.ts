// ByteSource over a file on disk: sequential streaming and positional reads, never the whole file.
import { open, stat } from 'node:fs/promises';
import type { ByteSource } from './types.js';

const DEFAULT_CHUNK = 1 << 20;

export async function fileSource(path: string, emitFrom = 0, sizeLimit?: number): Promise<ByteSource> {
  const size = sizeLimit ?? (await stat(path)).size;
  return {
    path,
    size,
    emitFrom,
    async *stream(start = 0, chunkSize = DEFAULT_CHUNK) {
      const handle = await open(path, 'r');
      const readChunk = async (position: number) => {
        const want = Math.min(chunkSize, size - position);
        const buffer = Buffer.allocUnsafe(want);
        const { bytesRead } = await handle.read(buffer, 0, want, position);
        return bytesRead === want ? buffer : buffer.subarray(0, bytesRead);
      };
      // The next chunk is read while the consumer works on this one. Its failure is thrown where
      // it is awaited; marked handled here so that it cannot end the process in the meantime.
      const readFrom = (position: number) => {
        const read = readChunk(position);
        read.catch(() => undefined);
        return read;
      };
      let next = start < size ? readFrom(start) : null;
      try {
        let position = start;
        while (next !== null) {
          const chunk = await next;
          if (chunk.length === 0) break; // the file shrank
          position += chunk.length;
          next = position < size ? readFrom(position) : null;
          yield chunk;
        }
      } finally {
        await next?.catch(() => undefined); // settle a read in flight before its handle closes
        await handle.close();
      }
    },
    async readAt(offset, length) {
      const want = Math.max(0, Math.min(length, size - offset));
      if (want === 0) return Buffer.alloc(0);
      const handle = await open(path, 'r');
      try {
        const buffer = Buffer.allocUnsafe(want);
        const { bytesRead } = await handle.read(buffer, 0, want, offset);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
  };
}

/** ByteSource over bytes in memory (tests, generated inputs). */
export function bufferSource(path: string, bytes: Buffer, emitFrom = 0): ByteSource {
  return {
    path,
    size: bytes.length,
    emitFrom,
    async *stream(start = 0, chunkSize = DEFAULT_CHUNK) {
      for (let p = start; p < bytes.length; p += chunkSize) yield bytes.subarray(p, Math.min(bytes.length, p + chunkSize));
    },
    async readAt(offset, length) {
      return bytes.subarray(offset, Math.min(bytes.length, offset + length));
    },
  };
}

/** The same source, reporting the furthest byte position read so far (for a progress bar). */
export function withProgress(source: ByteSource, report: (done: number) => void): ByteSource {
  let done = 0;
  const advance = (to: number) => {
    if (to > done) {
      done = to;
      report(done);
    }
  };
  return {
    ...source,
    async *stream(start = 0, chunkSize) {
      let position = start;
      for await (const chunk of source.stream(start, chunkSize)) {
        position += chunk.length;
        advance(position);
        yield chunk;
      }
    },
    async readAt(offset, length) {
      const bytes = await source.readAt(offset, length);
      advance(offset + bytes.length);
      return bytes;
    },
  };
}
