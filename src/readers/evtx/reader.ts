// The EVTX reader: file header, then every 64 KiB slot to end of file (whatever the header's chunk
// count says), then the records of each chunk. Damage is reported and skipped; with `recover`,
// records carved from chunk slack follow at the end, flagged and de-duplicated by EventRecordID.
import type { EventRecord } from '../../store/records.js';
import type { ByteSource, ReadContext, Reader } from '../types.js';
import { itemsOf } from '../batched.js';
import { CHUNK_HEADER_SIZE, CHUNK_SIZE, RECORD_SIGNATURE, parseChunkHeader, recordSizeAt } from './chunk.js';
import { FILE_HEADER_SIZE, hasFileSignature, parseFileHeader } from './file-header.js';
import { ChunkDecoder, type DecodedRecord } from './record-decoder.js';

type Report = ReadContext['issue'];

/** Read-ahead per I/O call; chunks are views into it. */
const READ_SIZE = 16 * CHUNK_SIZE;

interface Slot {
  readonly offset: number;
  readonly buf: Buffer;
}

/** The file cut into 64 KiB slots from offset 4096; the last one may be short. */
async function* slots(source: ByteSource): AsyncIterable<Slot> {
  let offset = FILE_HEADER_SIZE;
  let pending: Buffer = Buffer.alloc(0);
  for await (const piece of source.stream(FILE_HEADER_SIZE, READ_SIZE)) {
    let data: Buffer = pending.length === 0 ? piece : Buffer.concat([pending, piece]);
    while (data.length >= CHUNK_SIZE) {
      yield { offset, buf: data.subarray(0, CHUNK_SIZE) };
      offset += CHUNK_SIZE;
      data = data.subarray(CHUNK_SIZE);
    }
    pending = data;
  }
  if (pending.length > 0) yield { offset, buf: pending };
}

function isZeroFrom(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface ChunkResult {
  readonly live: DecodedRecord[];
  readonly carved: DecodedRecord[];
  readonly hasSignature: boolean;
}

/** Records of one slot: the live ones, and (with `recover`) those carved from the rest of it. */
function readChunk(slot: Slot, withXml: boolean, recover: boolean, report: Report): ChunkResult {
  const { buf, offset } = slot;
  const live: DecodedRecord[] = [];
  const carved: DecodedRecord[] = [];
  const header = parseChunkHeader(buf);
  if (header === null && isZeroFrom(buf, 0)) return { live, carved, hasSignature: false }; // unused slot
  const decoder = new ChunkDecoder(buf, offset, withXml);
  let pos = CHUNK_HEADER_SIZE;
  if (header === null) {
    report({ severity: 'warning', message: 'no chunk signature (ElfChnk): slot skipped', offset });
    pos = 0;
  } else {
    for (const remark of header.remarks) report({ severity: 'warning', message: remark, offset });
    while (pos < header.freeSpace) {
      const size = recordSizeAt(buf, pos);
      if (size === 0) break;
      try {
        live.push(decoder.decode(pos, size));
      } catch (error) {
        report({ severity: 'error', message: `record skipped: ${errorText(error)}`, offset: offset + pos, rejected: true });
      }
      pos += size;
    }
    if (pos <= header.lastRecord && pos < buf.length && !isZeroFrom(buf, pos)) {
      const signed = pos + 8 <= buf.length && buf.compare(RECORD_SIGNATURE, 0, 4, pos, pos + 4) === 0;
      const cut = signed && pos + buf.readUInt32LE(pos + 4) > buf.length ? 'record cut off by the end of the file' : 'no valid record header';
      report({
        severity: 'error',
        message: `records up to chunk offset ${header.lastRecord} skipped: ${cut}`,
        offset: offset + pos,
        rejected: true,
      });
    }
  }
  if (recover) carve(decoder, pos, carved);
  return { live, carved, hasSignature: header !== null };
}

/** Records framed (signature, size = trailing copy) and decodable anywhere from `from` on. */
function carve(decoder: ChunkDecoder, from: number, into: DecodedRecord[]): void {
  const buf = decoder.ctx.buf;
  let at = buf.indexOf(RECORD_SIGNATURE, from);
  while (at >= 0) {
    const size = recordSizeAt(buf, at);
    let next = at + 1;
    if (size > 0) {
      try {
        const decoded = decoder.decode(at, size);
        decoded.record.recovered = true;
        into.push(decoded);
        next = at + size;
      } catch {
        // Slack is mostly overwritten remains: what does not decode is not a record.
      }
    }
    at = buf.indexOf(RECORD_SIGNATURE, next);
  }
}

/**
 * All records of an EVTX file, optionally with their XML, one batch per chunk (carved records in
 * a last batch). Reports damage through ctx.issue.
 */
export async function* decodeEvtxBatches(source: ByteSource, ctx: ReadContext, withXml: boolean): AsyncIterable<DecodedRecord[]> {
  const head = await source.readAt(0, FILE_HEADER_SIZE);
  const header = parseFileHeader(head);
  if (header === null || head.length < FILE_HEADER_SIZE) {
    const why = header === null ? 'no EVTX file header (signature ElfFile)' : 'file ends inside the 4096-byte header';
    ctx.issue({ severity: 'error', message: why, offset: 0, rejected: true });
    return;
  }
  for (const remark of header.remarks) ctx.issue({ severity: 'warning', message: remark, offset: 0 });
  ctx.timeRule('UTC as recorded (FILETIME, 100 ns)');
  const seen = ctx.recover ? new Set<number>() : null;
  const carved: DecodedRecord[] = [];
  let chunks = 0;
  for await (const slot of slots(source)) {
    const result = readChunk(slot, withXml, ctx.recover, ctx.issue);
    if (result.hasSignature) chunks++;
    if (seen) for (const decoded of result.live) seen.add(decoded.record.record_id as number);
    if (result.live.length > 0) yield result.live;
    carved.push(...result.carved);
  }
  if (chunks !== header.chunkCount) {
    ctx.issue({ severity: 'info', message: `header says ${header.chunkCount} chunks, ${chunks} found`, offset: 0 });
  }
  const fresh = carved.filter((decoded) => {
    const id = decoded.record.record_id as number;
    if (seen?.has(id)) return false;
    seen?.add(id);
    return true;
  });
  if (fresh.length > 0) yield fresh;
}

/** All records of an EVTX file, optionally with their XML. */
export async function* decodeEvtx(source: ByteSource, ctx: ReadContext, withXml: boolean): AsyncIterable<DecodedRecord> {
  for await (const batch of decodeEvtxBatches(source, ctx, withXml)) yield* batch;
}

/** The records of each chunk, for the store (no XML). */
async function* evtxRecordBatches(source: ByteSource, ctx: ReadContext): AsyncGenerator<EventRecord[]> {
  for await (const batch of decodeEvtxBatches(source, ctx, false)) yield batch.map((decoded) => decoded.record);
}

export const evtxReader: Reader = {
  name: 'evtx',
  version: '1',
  description: 'Windows XML Event Log (.evtx, Vista and later), format 3.1 and 3.2',
  growable: false,
  sniff: hasFileSignature,
  read: (source, ctx) => itemsOf(evtxRecordBatches(source, ctx)),
  readBatches: evtxRecordBatches,
};
