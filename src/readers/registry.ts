// Every format reader, in detection order: the first whose sniff() accepts a file's first bytes wins,
// so more specific formats come before looser ones.
import type { Reader } from './types.js';

export const READERS: readonly Reader[] = [];

export function readerByName(name: string): Reader | undefined {
  return READERS.find((r) => r.name === name);
}

/** Bytes given to sniff(): enough for any header block we know. */
export const SNIFF_BYTES = 64 * 1024;

export function detectReader(head: Buffer): Reader | undefined {
  return READERS.find((r) => r.sniff(head));
}
