// Builds small .evt files for tests from the documented layout (MS-EVEN EVENTLOGRECORD,
// ELF_LOGFILE_HEADER, ELF_EOF_RECORD): records laid out around the circular buffer exactly as the
// event-log service does — split across the end of the file, or, when the tail cannot hold a record
// header, the tail filled with 0x00000027 and the record started after the header.

export interface RecordSpec {
  number: number;
  /** Unix seconds. */
  time: number;
  eventId: number;
  type: number;
  category?: number;
  source: string;
  computer: string;
  strings?: string[];
  data?: Buffer;
  /** Binary SID. */
  sid?: Buffer;
}

const HEADER = 48;

function wide(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf16le');
}

export function encodeRecord(spec: RecordSpec): Buffer {
  const names = Buffer.concat([wide(spec.source), wide(spec.computer)]);
  const namesPadded = Buffer.concat([names, Buffer.alloc((4 - ((56 + names.length) % 4)) % 4)]);
  const sid = spec.sid ?? Buffer.alloc(0);
  const strings = Buffer.concat((spec.strings ?? []).map(wide));
  const data = spec.data ?? Buffer.alloc(0);
  const sidOffset = 56 + namesPadded.length;
  const stringOffset = sidOffset + sid.length;
  const dataOffset = stringOffset + strings.length;
  const unpadded = dataOffset + data.length;
  const padding = (4 - (unpadded % 4)) % 4;
  const length = unpadded + padding + 4;
  const out = Buffer.alloc(length);
  out.writeUInt32LE(length, 0);
  out.write('LfLe', 4, 'latin1');
  out.writeUInt32LE(spec.number, 8);
  out.writeUInt32LE(spec.time, 12);
  out.writeUInt32LE(spec.time, 16);
  out.writeUInt32LE(spec.eventId >>> 0, 20);
  out.writeUInt16LE(spec.type, 24);
  out.writeUInt16LE(spec.strings?.length ?? 0, 26);
  out.writeUInt16LE(spec.category ?? 0, 28);
  out.writeUInt32LE(stringOffset, 36);
  out.writeUInt32LE(sid.length, 40);
  out.writeUInt32LE(sidOffset, 44);
  out.writeUInt32LE(data.length, 48);
  out.writeUInt32LE(dataOffset, 52);
  namesPadded.copy(out, 56);
  sid.copy(out, sidOffset);
  strings.copy(out, stringOffset);
  data.copy(out, dataOffset);
  out.writeUInt32LE(length, length - 4);
  return out;
}

export interface LayoutOptions {
  /** File size (the ring ends here). */
  size: number;
  /** Offset of the oldest record. */
  oldest: number;
  records: RecordSpec[];
  flags?: number;
  /** Header fields to write instead of the true ones (stale header of a dirty file). */
  staleHeader?: { startOffset: number; endOffset: number };
  /** Bytes to leave in the ring after the EOF record (older records), written before the live ones. */
  slack?: Array<{ offset: number; bytes: Buffer }>;
}

export interface Layout {
  bytes: Buffer;
  /** Offset of each record, in order. */
  offsets: number[];
  eofOffset: number;
}

/** Lays records out around the ring from `oldest`, then the EOF record, then writes the header. */
export function layoutEvt(options: LayoutOptions): Layout {
  const file = Buffer.alloc(options.size);
  for (const s of options.slack ?? []) s.bytes.copy(file, s.offset);
  const offsets: number[] = [];
  let pos = options.oldest;
  const writeRing = (bytes: Buffer) => {
    const first = Math.min(bytes.length, options.size - pos);
    bytes.copy(file, pos, 0, first);
    if (first < bytes.length) {
      bytes.copy(file, HEADER, first);
      pos = HEADER + bytes.length - first;
    } else {
      pos += first;
      if (pos === options.size) pos = HEADER;
    }
  };
  const skipShortTail = () => {
    if (options.size - pos < 56) {
      for (let p = pos; p < options.size; p += 4) file.writeUInt32LE(0x27, p);
      pos = HEADER;
    }
  };
  for (const spec of options.records) {
    skipShortTail();
    offsets.push(pos);
    writeRing(encodeRecord(spec));
  }
  skipShortTail();
  const eofOffset = pos;
  const first = options.records[0]?.number ?? 1;
  const next = (options.records.at(-1)?.number ?? 0) + 1;
  const eof = Buffer.alloc(40);
  eof.writeUInt32LE(0x28, 0);
  eof.writeUInt32LE(0x11111111, 4);
  eof.writeUInt32LE(0x22222222, 8);
  eof.writeUInt32LE(0x33333333, 12);
  eof.writeUInt32LE(0x44444444, 16);
  eof.writeUInt32LE(options.oldest, 20);
  eof.writeUInt32LE(eofOffset, 24);
  eof.writeUInt32LE(next, 28);
  eof.writeUInt32LE(first, 32);
  eof.writeUInt32LE(0x28, 36);
  writeRing(eof);

  file.writeUInt32LE(HEADER, 0);
  file.write('LfLe', 4, 'latin1');
  file.writeUInt32LE(1, 8);
  file.writeUInt32LE(1, 12);
  file.writeUInt32LE(options.staleHeader?.startOffset ?? options.oldest, 16);
  file.writeUInt32LE(options.staleHeader?.endOffset ?? eofOffset, 20);
  file.writeUInt32LE(next, 24);
  file.writeUInt32LE(first, 28);
  file.writeUInt32LE(options.size, 32);
  file.writeUInt32LE(options.flags ?? 0, 36);
  file.writeUInt32LE(0x93a80, 40);
  file.writeUInt32LE(HEADER, 44);
  return { bytes: file, offsets, eofOffset };
}

/** `count` numbered records with distinct, checkable content. */
export function sampleRecords(count: number, firstNumber = 1): RecordSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    number: firstNumber + i,
    time: 1_160_370_015 + 60 * i,
    eventId: 0xc0004e3f, // 20031 with a constructed Qualifiers word
    type: 1,
    category: 0,
    source: 'SmtpEvt',
    computer: 'ISA01',
    strings: [`string ${firstNumber + i}`],
    data: i % 2 === 0 ? Buffer.from('XEXCH50 1020', 'latin1') : undefined,
  }));
}
