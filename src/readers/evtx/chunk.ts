// A 64 KiB chunk: its 512-byte header (evtx-format.md section 3) and the framing of the event
// records in it (section 4). CRC mismatches and odd values become remarks, never refusals.
import { crc32 } from 'node:zlib';

export const CHUNK_SIZE = 0x10000;
export const CHUNK_HEADER_SIZE = 512;
const CHUNK_SIGNATURE = Buffer.from('ElfChnk\0', 'latin1');
export const RECORD_SIGNATURE = Buffer.from([0x2a, 0x2a, 0x00, 0x00]);
/** Record header (signature, size, id, written time) before the BinXML. */
export const RECORD_HEADER_SIZE = 24;
/** Header, fragment header and the trailing size copy: nothing smaller can be a record. */
const MIN_RECORD_SIZE = RECORD_HEADER_SIZE + 4 + 4;

export interface ChunkHeader {
  /** End of the used record data (chunk-relative), clamped to the bytes present. */
  readonly freeSpace: number;
  /** Offset of the last record the header knows of; framing that breaks before it means damage. */
  readonly lastRecord: number;
  readonly remarks: string[];
}

function hasChunkSignature(buf: Buffer): boolean {
  return buf.length >= 8 && buf.compare(CHUNK_SIGNATURE, 0, 8, 0, 8) === 0;
}

/** Null when the slot has no chunk signature or is shorter than a chunk header. */
export function parseChunkHeader(buf: Buffer): ChunkHeader | null {
  if (buf.length < CHUNK_HEADER_SIZE || !hasChunkSignature(buf)) return null;
  const remarks: string[] = [];
  const declaredFree = buf.readUInt32LE(48);
  const storedDataCrc = buf.readUInt32LE(52);
  const storedHeaderCrc = buf.readUInt32LE(124);
  const headerCrc = crc32(buf.subarray(128, CHUNK_HEADER_SIZE), crc32(buf.subarray(0, 120)));
  if (headerCrc !== storedHeaderCrc) {
    remarks.push(`chunk header CRC32 0x${storedHeaderCrc.toString(16)} does not match 0x${headerCrc.toString(16)}`);
  }
  let freeSpace = declaredFree;
  if (declaredFree < CHUNK_HEADER_SIZE || declaredFree > CHUNK_SIZE) {
    remarks.push(`free-space offset ${declaredFree} outside the chunk`);
    freeSpace = CHUNK_SIZE;
  } else if (declaredFree > buf.length) {
    remarks.push(`chunk cut short at ${buf.length} bytes (free-space offset ${declaredFree})`);
  } else {
    const dataCrc = crc32(buf.subarray(CHUNK_HEADER_SIZE, declaredFree));
    if (dataCrc !== storedDataCrc) {
      remarks.push(`record data CRC32 0x${storedDataCrc.toString(16)} does not match 0x${dataCrc.toString(16)}`);
    }
  }
  return { freeSpace: Math.min(freeSpace, buf.length), lastRecord: buf.readUInt32LE(44), remarks };
}

/** Size of the record framed at `pos` (signature, size equal to its trailing copy), or 0. */
export function recordSizeAt(buf: Buffer, pos: number): number {
  if (pos + MIN_RECORD_SIZE > buf.length) return 0;
  if (buf[pos] !== 0x2a || buf[pos + 1] !== 0x2a || buf[pos + 2] !== 0 || buf[pos + 3] !== 0) return 0;
  const size = buf.readUInt32LE(pos + 4);
  if (size < MIN_RECORD_SIZE || pos + size > buf.length) return 0;
  return buf.readUInt32LE(pos + size - 4) === size ? size : 0;
}

/** EventRecordID from the record header (used when the BinXML has none). */
export function headerRecordId(buf: Buffer, pos: number): number {
  return Number(buf.readBigUInt64LE(pos + 8));
}
