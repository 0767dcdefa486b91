// Legacy Windows event log (.evt, Windows 2000/XP/2003). Data flow: file header → end-of-file record
// (located by scanning when the file is dirty, because then the header is stale) → walk of the live
// records around the circular buffer, from the oldest record to the end-of-file record → scan of the
// slack between them for older records.
//
// Live records are emitted; damage inside the live area is reported and skipped by scanning ahead to
// the next record that frames correctly. Records in the slack are earlier copies (overwritten log
// space, as libevt's "recovered" records): with --recover those whose record number was not emitted
// live are emitted with recovered = true; otherwise they are only counted in an info issue.
import { basename } from 'node:path';
import type { EventRecord } from '../../store/records.js';
import type { ByteSource, ReadContext, Reader } from '../types.js';
import { EVT_FILE_CHANNELS } from '../../knowledge/windows-event-types.js';
import { FLAG_DIRTY, HEADER_BYTES, describeFlags, looksLikeEvtHeader, parseFileHeader, type EvtFileHeader } from './file-header.js';
import { EOF_MARKER, EOF_RECORD_BYTES, isEofRecordAt, parseEofRecord, type EvtEofRecord } from './eof-record.js';
import {
  RECORD_FIXED_BYTES,
  decodeEventRecord,
  hasRecordSignature,
  isPlausibleLength,
  type DecodeResult,
} from './event-record.js';
import { NumberRanges } from './number-ranges.js';
import { RecordRing } from './record-ring.js';

/** ELF_SKIP_DWORD: Windows fills a tail too short for a record header with this and wraps. */
const SKIP_DWORD = 0x27;
const RECORD_SIGNATURE = Buffer.from('LfLe', 'latin1');

export const evtReader: Reader = {
  name: 'evt',
  version: '1',
  description: 'Windows 2000/XP/2003 event log (.evt, LfLe), including dirty and wrapped files',
  growable: false,
  sniff: (head) => looksLikeEvtHeader(head),
  read: readEvt,
};

async function* readEvt(source: ByteSource, ctx: ReadContext): AsyncGenerator<EventRecord> {
  ctx.timeRule('UTC as logged (TimeGenerated, seconds since 1970)');
  const header = parseFileHeader(await source.readAt(0, HEADER_BYTES));
  if (!header) {
    ctx.issue({ severity: 'error', message: 'not an EVT file: no 48-byte LfLe header at offset 0', offset: 0 });
    return;
  }
  for (const warning of header.warnings) ctx.issue({ severity: 'warning', ...warning });
  if (source.size < HEADER_BYTES + RECORD_FIXED_BYTES) {
    ctx.issue({ severity: 'warning', message: `file is ${source.size} bytes: too short to hold a record`, offset: source.size });
    return;
  }

  const ring = new RecordRing(source, HEADER_BYTES);
  const channel = channelFromFileName(source.path);
  const eof = await locateEofRecord(ring, header, ctx);
  const oldest = oldestRecordOffset(ring, header, eof, ctx);
  const emitted = new NumberRanges();

  const slackStart = yield* walkLiveRecords(ring, oldest, eof, channel, emitted, ctx);
  yield* scanSlack(ring, slackStart, oldest, channel, emitted, ctx);
}

/** The log a file holds, from Windows' default file names (SysEvent.Evt → System); null otherwise. */
function channelFromFileName(path: string): string | null {
  for (const token of basename(path).toLowerCase().split(/[^a-z0-9]+/)) {
    const channel = EVT_FILE_CHANNELS.get(token);
    if (channel) return channel;
  }
  return null;
}

async function readEof(ring: RecordRing, offset: number): Promise<EvtEofRecord | null> {
  if (!ring.contains(offset)) return null;
  return parseEofRecord(await ring.read(offset, EOF_RECORD_BYTES), offset);
}

/**
 * The end-of-file record marks where the live records stop. A clean file's header points at it; in a
 * dirty file the header can be stale, so the file is scanned and the current copy (pointing at
 * itself, highest next-record number) wins.
 */
async function locateEofRecord(ring: RecordRing, header: EvtFileHeader, ctx: ReadContext): Promise<EvtEofRecord | null> {
  const dirty = (header.flags & FLAG_DIRTY) !== 0;
  if (header.flags !== 0) {
    ctx.issue({
      severity: dirty ? 'warning' : 'info',
      message: `file header flags: ${describeFlags(header.flags)}${dirty ? ' (header offsets may be stale; using the end-of-file record)' : ''}`,
      offset: 36,
    });
  }
  const pointed = await readEof(ring, header.endOffset);
  if (pointed && !dirty) return pointed;

  let best: EvtEofRecord | null = null;
  await ring.scan(ring.start, ring.span, EOF_MARKER, 0, async (pos) => {
    const found = await readEof(ring, pos);
    if (found && found.endRecord === pos && (!best || found.currentRecordNumber > best.currentRecordNumber)) best = found;
    return false; // keep scanning: a stale copy may come before the current one
  });
  const chosen: EvtEofRecord | null = best ?? pointed;
  if (!chosen) {
    ctx.issue({
      severity: 'warning',
      message: `no end-of-file record found (header points to offset ${header.endOffset}): reading from the oldest record while record numbers keep increasing`,
      offset: 20,
    });
  } else if (chosen.offset !== header.endOffset) {
    ctx.issue({
      severity: 'info',
      message: `end-of-file record at offset ${chosen.offset}, header says ${header.endOffset}`,
      offset: chosen.offset,
    });
  }
  return chosen;
}

function oldestRecordOffset(ring: RecordRing, header: EvtFileHeader, eof: EvtEofRecord | null, ctx: ReadContext): number {
  const offset = eof ? eof.beginRecord : header.startOffset;
  if (ring.contains(offset)) return offset;
  ctx.issue({
    severity: 'warning',
    message: `oldest-record offset ${offset} lies outside the file: reading from offset ${ring.start}`,
    offset: eof ? eof.offset + 20 : 16,
  });
  return ring.start;
}

type FrameCheck = { kind: 'record'; result: DecodeResult; length: number } | { kind: 'eof' } | { kind: 'filler' } | { kind: 'none'; message: string };

/** What starts at `pos`: a record (decoded), the end-of-file record, tail filler, or nothing valid. */
async function inspect(ring: RecordRing, pos: number, channel: string | null, recovered: boolean): Promise<FrameCheck> {
  const head = await ring.read(pos, 24);
  if (isEofRecordAt(head, 0)) return { kind: 'eof' };
  const length = head.readUInt32LE(0);
  if (ring.end - pos < RECORD_FIXED_BYTES || length === SKIP_DWORD) return { kind: 'filler' };
  if (!hasRecordSignature(head, 0)) return { kind: 'none', message: `no record signature at offset ${pos}` };
  if (!isPlausibleLength(length) || length > ring.span) return { kind: 'none', message: `record at offset ${pos}: implausible length ${length}` };
  // Check the trailing length copy before reading the whole record, so scanning junk stays cheap.
  const copy = (await ring.read(ring.advance(pos, length - 4), 4)).readUInt32LE(0);
  if (copy !== length) return { kind: 'none', message: `record at offset ${pos}: length ${length} but trailing copy ${copy}` };
  const bytes = await ring.read(pos, length);
  return { kind: 'record', result: decodeEventRecord(bytes, { offset: pos, channel, recovered }), length };
}

/** True when a record that decodes cleanly starts at `pos` (used to resynchronise after damage). */
async function isRecordStart(ring: RecordRing, pos: number): Promise<boolean> {
  const check = await inspect(ring, pos, null, false);
  return check.kind === 'record' && check.result.ok;
}

/**
 * Yields the live records from `oldest` up to the end-of-file record; returns the position after the
 * last live byte (where the slack begins).
 */
async function* walkLiveRecords(
  ring: RecordRing,
  oldest: number,
  eof: EvtEofRecord | null,
  channel: string | null,
  emitted: NumberRanges,
  ctx: ReadContext,
): AsyncGenerator<EventRecord, number> {
  const stopAt = eof?.offset ?? null;
  let pos = oldest;
  let walked = 0;
  let lastNumber: number | null = null;
  while (walked < ring.span) {
    if (pos === stopAt) return ring.advance(pos, EOF_RECORD_BYTES);
    const check = await inspect(ring, pos, channel, false);
    if (check.kind === 'filler') {
      const tail = ring.end - pos;
      walked += tail;
      pos = ring.start;
      continue;
    }
    if (check.kind === 'eof') {
      // Without a known end (no current EOF record), the first one met ends the live area.
      if (stopAt === null) return ring.advance(pos, EOF_RECORD_BYTES);
      ctx.issue({ severity: 'warning', message: `stale end-of-file record at offset ${pos} inside the live records`, offset: pos });
    } else if (check.kind === 'record' && check.result.ok) {
      const record = check.result.record;
      const number = record.record_id ?? 0;
      const crossesEnd = stopAt !== null && ring.distance(pos, stopAt) < check.length;
      if (crossesEnd) {
        ctx.issue({ severity: 'warning', message: `record at offset ${pos} overlaps the end-of-file record at ${stopAt}`, offset: pos, rejected: true });
      } else if (stopAt === null && lastNumber !== null && number <= lastNumber) {
        // No EOF record to stop at: lower numbers mean the walk has reached older, overwritten space.
        return pos;
      } else {
        if (lastNumber !== null && number !== lastNumber + 1) {
          ctx.issue({ severity: 'info', message: `record number ${number} at offset ${pos} follows ${lastNumber}`, offset: pos });
        }
        if (emitted.has(number)) {
          ctx.issue({ severity: 'warning', message: `record number ${number} at offset ${pos} repeats an earlier record; skipped`, offset: pos, rejected: true });
        } else {
          emitted.add(number);
          yield record;
        }
        lastNumber = number;
        pos = ring.advance(pos, check.length);
        walked += check.length;
        continue;
      }
    } else {
      const message = check.kind === 'record' && !check.result.ok ? check.result.message : check.kind === 'none' ? check.message : '';
      ctx.issue({ severity: 'warning', message, offset: pos, rejected: true });
    }

    // Damage: skip ahead to the next record that decodes, or to the end-of-file record.
    const limit = (stopAt !== null ? ring.distance(pos, stopAt) : ring.span - walked) - 4;
    const next = limit > 0 ? await ring.scan(ring.advance(pos, 4), limit, RECORD_SIGNATURE, 4, (p) => isRecordStart(ring, p)) : null;
    const target = next ?? stopAt;
    if (target === null) return pos;
    const skipped = ring.distance(pos, target);
    ctx.issue({ severity: 'warning', message: `skipped ${skipped} damaged bytes from offset ${pos} to ${target}`, offset: pos });
    walked += skipped;
    pos = target;
    if (next === null) return ring.advance(pos, EOF_RECORD_BYTES);
  }
  return pos;
}

/**
 * Scans the slack (from the end of the live records round to the oldest record) for older records
 * that still frame and decode. Emitted only with --recover, as recovered, and only when their record
 * number was not emitted live (the slack often holds stale copies of live records).
 */
async function* scanSlack(
  ring: RecordRing,
  from: number,
  oldest: number,
  channel: string | null,
  emitted: NumberRanges,
  ctx: ReadContext,
): AsyncGenerator<EventRecord> {
  const slack = ring.distance(from, oldest);
  let found = 0;
  let duplicates = 0;
  let covered = 0;
  let pos = from;
  while (covered < slack) {
    let decoded: { record: EventRecord; length: number } | null = null;
    const next = await ring.scan(pos, slack - covered, RECORD_SIGNATURE, 4, async (p) => {
      const check = await inspect(ring, p, channel, true);
      // A copy that runs into the live records has been partly overwritten: not a record any more.
      if (check.kind !== 'record' || !check.result.ok || check.length > ring.distance(p, oldest)) return false;
      decoded = { record: check.result.record, length: check.length };
      return true;
    });
    if (next === null || decoded === null) break;
    const { record, length } = decoded as { record: EventRecord; length: number };
    const number = record.record_id ?? 0;
    if (emitted.has(number)) {
      duplicates++;
    } else {
      found++;
      emitted.add(number);
      if (ctx.recover) yield record;
    }
    covered += ring.distance(pos, next) + length;
    pos = ring.advance(next, length);
  }
  if (found > 0 || duplicates > 0) {
    const what = ctx.recover ? 'recovered' : 'not loaded (use --recover to load them)';
    ctx.issue({
      severity: 'info',
      message: `slack space from offset ${from} to ${oldest}: ${found} older records ${what}, ${duplicates} stale copies of live records ignored`,
      offset: from,
    });
  }
}
