// EVENTLOGRECORD: one event in a legacy .evt file, decoded into an `events` row. The caller hands over
// the record's bytes already joined across the end-of-file wrap; this module only checks that every
// offset and length stays inside the record, so a damaged record is rejected, never half-decoded.
import type { EventDataValue, EventRecord } from '../../store/records.js';
import { binaryText } from '../eventlog/binary-text.js';
import { formatSid } from '../eventlog/sid.js';
import { EVENT_TYPES } from '../../knowledge/windows-event-types.js';
import { SIGNATURE } from './file-header.js';

/** Fixed part: length … DataOffset (MS-EVEN EVENTLOGRECORD). */
export const RECORD_FIXED_BYTES = 56;
/** Fixed part, two empty NUL-terminated names and the trailing length copy. */
export const MIN_RECORD_BYTES = RECORD_FIXED_BYTES + 4 + 4;
/**
 * Upper bound on one record: far above what ReportEvent can write, and what keeps a corrupt length
 * from making the reader allocate the whole file.
 */
export const MAX_RECORD_BYTES = 16 << 20;

/** Cheap framing test used while walking and scanning: length, signature and length copy agree. */
export function isPlausibleLength(length: number): boolean {
  return length % 4 === 0 && length >= MIN_RECORD_BYTES && length <= MAX_RECORD_BYTES;
}

export function hasRecordSignature(bytes: Uint8Array, at: number): boolean {
  return (
    bytes[at + 4] === (SIGNATURE & 0xff) &&
    bytes[at + 5] === ((SIGNATURE >>> 8) & 0xff) &&
    bytes[at + 6] === ((SIGNATURE >>> 16) & 0xff) &&
    bytes[at + 7] === SIGNATURE >>> 24
  );
}

export interface RecordContext {
  /** File offset of the record's first byte (stored as source_offset, used in messages). */
  offset: number;
  channel: string | null;
  recovered: boolean;
}

export type DecodeResult = { ok: true; record: EventRecord } | { ok: false; message: string };

/** Decodes one framed record (`bytes.length` equals its length field). */
export function decodeEventRecord(bytes: Buffer, context: RecordContext): DecodeResult {
  const length = bytes.length;
  const bodyEnd = length - 4;

  if (length < MIN_RECORD_BYTES || bytes.readUInt32LE(0) !== length || bytes.readUInt32LE(bodyEnd) !== length || !hasRecordSignature(bytes, 0)) {
    return failure(context, 'length, signature or length copy does not match');
  }
  const recordNumber = bytes.readUInt32LE(8);
  const timeGenerated = bytes.readUInt32LE(12);
  const eventId = bytes.readUInt32LE(20);
  const eventType = bytes.readUInt16LE(24);
  const numStrings = bytes.readUInt16LE(26);
  const category = bytes.readUInt16LE(28);
  const stringOffset = bytes.readUInt32LE(36);
  const sidLength = bytes.readUInt32LE(40);
  const sidOffset = bytes.readUInt32LE(44);
  const dataLength = bytes.readUInt32LE(48);
  const dataOffset = bytes.readUInt32LE(52);

  const source = readWideString(bytes, RECORD_FIXED_BYTES, bodyEnd);
  if (!source) return failure(context, `SourceName at record offset ${RECORD_FIXED_BYTES} has no terminating NUL`);
  const computer = readWideString(bytes, source.next, bodyEnd);
  if (!computer) return failure(context, `Computername at record offset ${source.next} has no terminating NUL`);

  let userSid: string | null = null;
  if (sidLength > 0) {
    if (!inside(sidOffset, sidLength, bodyEnd)) return failure(context, `UserSid (offset ${sidOffset}, length ${sidLength}) lies outside the record`);
    userSid = formatSid(bytes.subarray(sidOffset, sidOffset + sidLength));
    if (userSid === null) return failure(context, `UserSid at record offset ${sidOffset} is not a valid SID`);
  }

  const data: EventDataValue[] = [];
  if (numStrings > 0) {
    if (!inside(stringOffset, 0, bodyEnd)) return failure(context, `StringOffset ${stringOffset} lies outside the record`);
    let at = stringOffset;
    for (let i = 0; i < numStrings; i++) {
      const text = readWideString(bytes, at, bodyEnd);
      if (!text) return failure(context, `insertion string ${i + 1} of ${numStrings} at record offset ${at} has no terminating NUL`);
      data.push({ name: null, value: text.value });
      at = text.next;
    }
  }

  let binary: Buffer | null = null;
  if (dataLength > 0) {
    if (!inside(dataOffset, dataLength, bodyEnd)) return failure(context, `Data (offset ${dataOffset}, length ${dataLength}) lies outside the record`);
    binary = Buffer.from(bytes.subarray(dataOffset, dataOffset + dataLength));
  }

  const type = EVENT_TYPES.get(eventType);
  return {
    ok: true,
    record: {
      table: 'events',
      record_id: recordNumber,
      time_created: BigInt(timeGenerated) * 1_000_000_000n,
      provider: source.value,
      provider_guid: null,
      // Windows splits the 32-bit ID this way when it renders a classic event in EVTX form.
      event_id: eventId & 0xffff,
      qualifiers: eventId >>> 16,
      version: null,
      level: type?.level ?? null,
      // EventCategory is what EVTX shows as Task for classic events (inferred, evtx-format.md 14).
      task: category,
      opcode: null,
      keywords: type?.keywords ?? null,
      channel: context.channel,
      computer: computer.value,
      user_sid: userSid,
      process_id: null,
      thread_id: null,
      message: null,
      binary,
      binary_text: binaryText(binary),
      recovered: context.recovered,
      source_offset: context.offset,
      data,
    },
  };
}

function failure(context: RecordContext, message: string): DecodeResult {
  return { ok: false, message: `record at offset ${context.offset}: ${message}` };
}

function inside(offset: number, length: number, end: number): boolean {
  return offset >= RECORD_FIXED_BYTES && offset <= end && length <= end - offset;
}

/** A NUL-terminated UTF-16LE string starting at `from`, ending before `end`; null if unterminated. */
function readWideString(bytes: Buffer, from: number, end: number): { value: string; next: number } | null {
  for (let at = from; at + 1 < end; at += 2) {
    if (bytes[at] === 0 && bytes[at + 1] === 0) return { value: bytes.toString('utf16le', from, at), next: at + 2 };
  }
  return null;
}
