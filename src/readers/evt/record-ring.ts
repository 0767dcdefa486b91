// The record area of an .evt file is a circular buffer: from just after the 48-byte header to the end
// of the file, then back to just after the header. A record may be split across that end. This module
// reads and scans that ring through one cached window, so walking a file costs sequential reads and
// bounded memory whatever its size.
import type { ByteSource } from '../types.js';

const WINDOW_BYTES = 1 << 20;

export class RecordRing {
  readonly start: number;
  readonly end: number;
  /** Serves record reads. */
  private readonly reads: CachedWindow;
  /** Serves scans, separately, because a scan's `accept` reads records at the same time. */
  private readonly scans: CachedWindow;

  constructor(source: ByteSource, start: number) {
    this.start = start;
    this.end = Math.max(start, source.size);
    this.reads = new CachedWindow(source, this.end);
    this.scans = new CachedWindow(source, this.end);
  }

  /** Bytes in the ring. */
  get span(): number {
    return this.end - this.start;
  }

  /** True when `offset` is a 4-aligned position inside the ring. */
  contains(offset: number): boolean {
    return offset >= this.start && offset < this.end && offset % 4 === 0;
  }

  /** The position `n` bytes after `pos`, wrapping at the end. */
  advance(pos: number, n: number): number {
    return this.start + ((pos - this.start + n) % this.span);
  }

  /** Bytes from `from` forward to `to`, wrapping at the end. */
  distance(from: number, to: number): number {
    return (to - from + this.span) % this.span;
  }

  /**
   * `length` bytes from `pos`, continuing after the header when they run past the end of the file.
   * Returns fewer bytes only when `length` exceeds the ring. The result may share memory with the
   * window: copy what must outlive the next read.
   */
  async read(pos: number, length: number): Promise<Buffer> {
    const want = Math.min(length, this.span);
    const first = Math.min(want, this.end - pos);
    if (first === want) return this.reads.read(pos, want);
    const head = Buffer.from(await this.reads.read(pos, first));
    return Buffer.concat([head, await this.reads.read(this.start, want - first)]);
  }

  /**
   * Scans forward from `from` over at most `limit` bytes for a 4-aligned position where `pattern`
   * sits `patternOffset` bytes in, and returns the first such position that `accept` approves.
   */
  async scan(
    from: number,
    limit: number,
    pattern: Buffer,
    patternOffset: number,
    accept: (pos: number) => Promise<boolean>,
  ): Promise<number | null> {
    let covered = 0;
    let pos = from;
    while (covered < limit) {
      const linear = Math.min(limit - covered, this.end - pos);
      const found = await this.scanLinear(pos, linear, pattern, patternOffset, accept);
      if (found !== null) return found;
      covered += linear;
      pos = this.start;
    }
    return null;
  }

  private async scanLinear(
    from: number,
    length: number,
    pattern: Buffer,
    patternOffset: number,
    accept: (pos: number) => Promise<boolean>,
  ): Promise<number | null> {
    const stop = from + length;
    let blockStart = from;
    while (blockStart < stop) {
      const block = await this.scans.readAvailable(blockStart, stop - blockStart + patternOffset + pattern.length, pattern.length);
      if (block.length < pattern.length) break;
      let hit = block.indexOf(pattern, 0);
      while (hit >= 0) {
        const candidate = blockStart + hit - patternOffset;
        if (candidate >= stop) break;
        if (candidate >= from && candidate % 4 === 0 && (await accept(candidate))) return candidate;
        hit = block.indexOf(pattern, hit + 1);
      }
      // A match that did not fit in this block starts at or after this point.
      blockStart += block.length - pattern.length + 1;
    }
    return null;
  }
}

/** One window of the file, refilled (from the requested position) when a read falls outside it. */
class CachedWindow {
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly source: ByteSource,
    private readonly end: number,
  ) {}

  /** Exactly `length` bytes from `pos` (fewer only at the end of the file). */
  async read(pos: number, length: number): Promise<Buffer> {
    if (!this.holds(pos, length)) await this.refill(pos, length);
    const from = pos - this.windowStart;
    return this.window.subarray(from, Math.min(this.window.length, from + length));
  }

  /** Up to `max` bytes from `pos`: as much as the window holds, refilled only if it holds under `min`. */
  async readAvailable(pos: number, max: number, min: number): Promise<Buffer> {
    if (!this.holds(pos, min)) await this.refill(pos, min);
    const from = pos - this.windowStart;
    return this.window.subarray(from, Math.min(this.window.length, from + max));
  }

  private holds(pos: number, length: number): boolean {
    return pos >= this.windowStart && pos + length <= this.windowStart + this.window.length;
  }

  private async refill(pos: number, length: number): Promise<void> {
    this.window = await this.source.readAt(pos, Math.min(Math.max(length, WINDOW_BYTES), this.end - pos));
    this.windowStart = pos;
  }
}
