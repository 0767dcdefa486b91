// The 4096-byte EVTX file header (evtx-format.md section 2). Only the signature is required: the
// chunk count, flags and CRC are reported when odd but never trusted (every slot is walked).
import { crc32 } from 'node:zlib';

export const FILE_SIGNATURE = Buffer.from('ElfFile\0', 'latin1');
export const FILE_HEADER_SIZE = 4096;

const FLAG_DIRTY = 0x1;
const FLAG_FULL = 0x2;
const KNOWN_FLAGS = FLAG_DIRTY | FLAG_FULL;

export interface FileHeader {
  readonly majorVersion: number;
  readonly minorVersion: number;
  readonly chunkCount: number;
  readonly flags: number;
  /** Remarks worth a warning: CRC mismatch, unknown flags, unknown version. */
  readonly remarks: string[];
}

export function hasFileSignature(head: Buffer): boolean {
  return head.length >= 8 && head.subarray(0, 8).equals(FILE_SIGNATURE);
}

/** Parses the header; null when the signature is missing or the header is cut short. */
export function parseFileHeader(buf: Buffer): FileHeader | null {
  if (buf.length < 128 || !hasFileSignature(buf)) return null;
  const minorVersion = buf.readUInt16LE(36);
  const majorVersion = buf.readUInt16LE(38);
  const chunkCount = buf.readUInt16LE(42);
  const flags = buf.readUInt32LE(120);
  const storedCrc = buf.readUInt32LE(124);
  const remarks: string[] = [];
  if (majorVersion !== 3 || (minorVersion !== 1 && minorVersion !== 2)) {
    remarks.push(`format version ${majorVersion}.${minorVersion} (expected 3.1 or 3.2)`);
  }
  if (flags & FLAG_DIRTY) remarks.push('dirty flag set: header fields may be stale');
  if (flags & ~KNOWN_FLAGS) remarks.push(`unusual file flags 0x${flags.toString(16)}`);
  const computed = crc32(buf.subarray(0, 120));
  if (computed !== storedCrc) {
    remarks.push(`header CRC32 0x${storedCrc.toString(16)} does not match 0x${computed.toString(16)}`);
  }
  return { majorVersion, minorVersion, chunkCount, flags, remarks };
}
