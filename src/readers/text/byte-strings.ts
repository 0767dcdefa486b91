// Field values straight from a line's bytes. A log repeats a few values endlessly (server, peer
// addresses, ports, verbs, the usual replies, the second of the day): a value met recently comes
// back as the same string object, found by hashing its bytes, so no string is allocated for it and
// its hash, already cached by V8, makes later map lookups and identity checks cheap. Bytes must be
// UTF-8 (ASCII lines are).

/** Longer values are rarely repeated (message ids, full reply texts): decoded, not remembered. */
const MAX_INTERNED_BYTES = 64;
/** Remembered values per table: a power of two; a colliding value replaces the older one. */
const SLOTS = 4096;

const PLUS = 0x2b;
const SPACE = 0x20;

export class ByteStrings {
  private readonly strings: (string | null | undefined)[] = new Array(SLOTS);
  private readonly hashes = new Int32Array(SLOTS);
  private readonly lengths = new Int32Array(SLOTS);
  /** The bytes of each remembered value, MAX_INTERNED_BYTES per slot. */
  private readonly keys = new Uint8Array(SLOTS * MAX_INTERNED_BYTES);
  private scratch = Buffer.alloc(256);

  /**
   * @param plusAsSpace decode IIS W3C values: where a value has a `+`, each stands for a space and
   *   the value is trimmed (empty → null), as decodePlus does to a string.
   */
  constructor(private readonly plusAsSpace: boolean) {}

  /** The text of bytes[start, end), or null when `plusAsSpace` decodes it to nothing. */
  get(bytes: Buffer, start: number, end: number): string | null {
    const length = end - start;
    if (length > MAX_INTERNED_BYTES) return this.decode(bytes, start, end);
    let hash = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
    const slot = hash & (SLOTS - 1);
    const cached = this.strings[slot];
    if (cached !== undefined && this.hashes[slot] === hash && this.lengths[slot] === length && this.sameBytes(slot, bytes, start, length)) return cached;
    const text = this.decode(bytes, start, end);
    this.strings[slot] = text;
    this.hashes[slot] = hash;
    this.lengths[slot] = length;
    const keys = this.keys;
    const at = slot * MAX_INTERNED_BYTES - start;
    for (let i = start; i < end; i++) keys[at + i] = bytes[i]; // a loop: no subarray object per value
    return text;
  }

  private sameBytes(slot: number, bytes: Buffer, start: number, length: number): boolean {
    const keys = this.keys;
    const at = slot * MAX_INTERNED_BYTES;
    for (let i = 0; i < length; i++) if (keys[at + i] !== bytes[start + i]) return false;
    return true;
  }

  private decode(bytes: Buffer, start: number, end: number): string | null {
    let plus = false;
    if (this.plusAsSpace) for (let i = start; i < end && !plus; i++) plus = bytes[i] === PLUS;
    if (!plus) return bytes.toString('utf8', start, end);
    if (this.scratch.length < end - start) this.scratch = Buffer.alloc(2 * (end - start));
    const out = this.scratch;
    for (let i = start; i < end; i++) out[i - start] = bytes[i] === PLUS ? SPACE : bytes[i];
    const text = out.toString('utf8', 0, end - start).trim();
    return text.length > 0 ? text : null;
  }
}
