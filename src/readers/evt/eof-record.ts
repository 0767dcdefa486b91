// ELF_EOF_RECORD: 40 bytes written just after the newest record. It repeats the header's offsets and
// record numbers and is rewritten with every event, so in a dirty file it is the current copy.

export const EOF_RECORD_BYTES = 40;
/** The four marker dwords 0x11111111 … 0x44444444 that follow the record's size (0x28). */
export const EOF_MARKER = Buffer.from('28000000111111112222222233333333' + '44444444', 'hex');

export interface EvtEofRecord {
  /** Where the record was found. */
  offset: number;
  /** Offset of the oldest record. */
  beginRecord: number;
  /** Offset of this record as written; equals `offset` unless the record is a stale copy. */
  endRecord: number;
  currentRecordNumber: number;
  oldestRecordNumber: number;
}

/** True when `bytes` at `at` start with the EOF record's size and markers. */
export function isEofRecordAt(bytes: Uint8Array, at: number): boolean {
  if (at < 0 || at + EOF_MARKER.length > bytes.length) return false;
  for (let i = 0; i < EOF_MARKER.length; i++) if (bytes[at + i] !== EOF_MARKER[i]) return false;
  return true;
}

/** Parses 40 bytes found at file offset `offset`; null unless size, markers and size copy match. */
export function parseEofRecord(bytes: Uint8Array, offset: number): EvtEofRecord | null {
  if (bytes.length < EOF_RECORD_BYTES || !isEofRecordAt(bytes, 0)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, EOF_RECORD_BYTES);
  if (view.getUint32(36, true) !== EOF_RECORD_BYTES) return null;
  return {
    offset,
    beginRecord: view.getUint32(20, true),
    endRecord: view.getUint32(24, true),
    currentRecordNumber: view.getUint32(28, true),
    oldestRecordNumber: view.getUint32(32, true),
  };
}
