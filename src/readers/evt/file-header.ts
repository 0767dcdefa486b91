// ELF_LOGFILE_HEADER: the 48 bytes at the start of a legacy .evt file. Its offsets and record numbers
// are only current when the file was closed cleanly; a dirty file's copy can be stale (the
// end-of-file record then has the current values).

export const HEADER_BYTES = 48;
export const SIGNATURE = 0x654c664c; // "LfLe"

export const FLAG_DIRTY = 0x1;
export const FLAG_WRAPPED = 0x2;
export const FLAG_LOG_FULL = 0x4;
export const FLAG_ARCHIVE = 0x8;

export interface EvtFileHeader {
  majorVersion: number;
  minorVersion: number;
  /** Offset of the oldest record. */
  startOffset: number;
  /** Offset of the end-of-file record. */
  endOffset: number;
  /** Number the next record would get. */
  currentRecordNumber: number;
  oldestRecordNumber: number;
  maxSize: number;
  flags: number;
  /** Problems that do not stop reading (wrong size copy, unexpected version), with the field's offset. */
  warnings: Array<{ message: string; offset: number }>;
}

/** True when `head` starts like an EVT file header (size 48 and `LfLe`). */
export function looksLikeEvtHeader(head: Uint8Array): boolean {
  if (head.length < 8) return false;
  const view = new DataView(head.buffer, head.byteOffset, head.length);
  return view.getUint32(0, true) === HEADER_BYTES && view.getUint32(4, true) === SIGNATURE;
}

/** Parses the header; null when the bytes are not an EVT header at all. */
export function parseFileHeader(bytes: Uint8Array): EvtFileHeader | null {
  if (bytes.length < HEADER_BYTES || !looksLikeEvtHeader(bytes)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const u32 = (at: number) => view.getUint32(at, true);
  const header: EvtFileHeader = {
    majorVersion: u32(8),
    minorVersion: u32(12),
    startOffset: u32(16),
    endOffset: u32(20),
    currentRecordNumber: u32(24),
    oldestRecordNumber: u32(28),
    maxSize: u32(32),
    flags: u32(36),
    warnings: [],
  };
  if (header.majorVersion !== 1 || header.minorVersion !== 1) {
    header.warnings.push({ message: `file header version ${header.majorVersion}.${header.minorVersion} (expected 1.1)`, offset: 8 });
  }
  if (u32(44) !== HEADER_BYTES) header.warnings.push({ message: `file header size copy ${u32(44)} (expected 48)`, offset: 44 });
  return header;
}

/** Flag names for messages, e.g. `dirty, wrapped`. */
export function describeFlags(flags: number): string {
  const names: string[] = [];
  if (flags & FLAG_DIRTY) names.push('dirty');
  if (flags & FLAG_WRAPPED) names.push('wrapped');
  if (flags & FLAG_LOG_FULL) names.push('log full');
  if (flags & FLAG_ARCHIVE) names.push('archive');
  return names.length > 0 ? names.join(', ') : 'none';
}
