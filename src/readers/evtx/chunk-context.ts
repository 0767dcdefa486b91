// Per-chunk state for BinXML: the chunk bytes and the caches of names and template definitions,
// keyed by chunk-relative offset. A new context is made for every chunk, so nothing leaks across.
import type { Template } from './binxml-nodes.js';

/** A BinXML structure that does not decode; `offset` is chunk-relative. */
export class BinXmlError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Bytes of a name structure besides its characters: next offset, hash, count, trailing NUL. */
const NAME_OVERHEAD = 10;

export class ChunkContext {
  private readonly names = new Map<number, string>();
  /** Template definitions, or null while one is being parsed (guards self-reference). */
  readonly templates = new Map<number, Template | null>();

  constructor(readonly buf: Buffer) {}

  /** Name at a chunk offset: u32 next, u16 hash, u16 character count, UTF-16LE, NUL. */
  name(offset: number): string {
    const cached = this.names.get(offset);
    if (cached !== undefined) return cached;
    if (offset < 0 || offset + 8 > this.buf.length) throw new BinXmlError(`name offset ${offset} outside the chunk`, offset);
    const count = this.buf.readUInt16LE(offset + 6);
    const end = offset + 8 + 2 * count;
    if (end + 2 > this.buf.length) throw new BinXmlError(`name at ${offset} runs past the chunk`, offset);
    const name = this.buf.toString('utf16le', offset + 8, end);
    this.names.set(offset, name);
    return name;
  }

  /** Total size of the name structure at `offset` (to skip a name stored inline). */
  nameSize(offset: number): number {
    return NAME_OVERHEAD + 2 * this.buf.readUInt16LE(offset + 6);
  }

  /** Could `offset` hold a name referenced from position `at`? Names are inline or earlier. */
  plausibleName(offset: number, at: number): boolean {
    if (offset === at) return offset + 8 <= this.buf.length;
    return offset >= 512 && offset < at && (this.names.has(offset) || offset + 8 <= this.buf.length);
  }
}
