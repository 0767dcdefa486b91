// Record-by-record agreement between a generated event log, the events it was written from and the
// external parsers. Used by the writer tests and reusable for every generated .evtx / .evt file.

import { strict as assert } from 'node:assert';
import { filetimeFromNanos } from '../../fixtures/generate/writers/classic-event.js';
import type { ClassicEvent } from '../../fixtures/generate/writers/evtx.js';
import { isoFromNanos } from '../../src/util/timezone.js';
import {
  libyalInfo, readWithPyevt, readWithPyevtx, readWithPythonEvtx,
  type PyevtRecord, type PythonEvtxResult, type XmlRecord,
} from './oracles.js';

const hex = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString('hex').toUpperCase());

/** What libevtx renders: 16-digit Keywords, 9 fractional digits (100 ns resolution). */
function libevtxView(e: ClassicEvent): XmlRecord {
  return {
    recordId: String(e.recordId),
    provider: e.provider,
    eventId: String(e.eventId),
    qualifiers: String(e.qualifiers),
    level: String(e.level),
    task: String(e.task),
    keywords: `0x${e.keywords.toString(16).padStart(16, '0')}`,
    time: isoFromNanos(e.timeCreated - (((e.timeCreated % 100n) + 100n) % 100n), 9),
    channel: e.channel,
    computer: e.computer,
    userSid: e.userSid,
    data: e.data.length > 0 ? e.data : [''], // an empty string array still yields one <Data>
    binary: hex(e.binary),
  };
}

/**
 * What python-evtx renders: empty text for NULL values, times through its float conversion. It
 * garbles string arrays that start with an empty item (evtx-format.md section 13.3); callers keep
 * those out of the events they compare.
 */
function pythonEvtxView(e: ClassicEvent): XmlRecord & { headerRecordId: number } {
  return {
    ...libevtxView(e),
    time: pythonEvtxTime(filetimeFromNanos(e.timeCreated)),
    userSid: e.userSid ?? '',
    data: e.data,
    binary: hex(e.binary) ?? '',
    headerRecordId: e.recordId,
  };
}

/**
 * python-evtx 0.6.1 computes `datetime.utcfromtimestamp(float(ft) * 1e-7 - 11644473600)`: the same
 * IEEE double arithmetic here, then CPython's split into whole seconds and microseconds rounded half
 * to even, rendered by `isoformat(' ')` (no fraction when it is zero).
 */
function pythonEvtxTime(filetime: bigint): string {
  const t = Number(filetime) * 1e-7 - 11644473600;
  let seconds = Math.trunc(t);
  const scaled = (t - seconds) * 1e6;
  let micros = Math.round(scaled);
  if (Math.abs(scaled - Math.trunc(scaled)) === 0.5) micros = 2 * Math.round(scaled / 2);
  if (micros >= 1e6) {
    seconds += 1;
    micros -= 1e6;
  }
  const base = new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
  return micros === 0 ? base : `${base}.${String(micros).padStart(6, '0')}`;
}

/**
 * evtxinfo, pyevtx (libevtx) and python-evtx must each read `path` back as `events`, with valid
 * header and chunk CRCs. Returns python-evtx's view of the chunks for structural checks.
 */
export function assertEvtxReadBack(path: string, events: ClassicEvent[]): PythonEvtxResult['chunks'] {
  const info = libyalInfo('evtxinfo', path);
  assert.equal(info.fields.get('Version'), '3.1');
  assert.equal(info.fields.get('Number of records'), String(events.length));
  assert.equal(info.fields.get('Number of recovered records'), '0');
  assert.ok(!info.lines.includes('Is corrupted'), info.lines.join('\n'));

  const libevtx = readWithPyevtx(path);
  assert.equal(libevtx.corrupted, false);
  assert.equal(libevtx.recovered, 0);
  assert.equal(libevtx.records.length, events.length);
  libevtx.records.forEach(({ getters, ...rendered }, i) => {
    const e = events[i];
    assert.deepEqual(rendered, libevtxView(e), `libevtx record ${i}`);
    assert.deepEqual(getters, {
      recordId: e.recordId, eventId: e.eventId, qualifiers: e.qualifiers, level: e.level,
      provider: e.provider, computer: e.computer, userSid: e.userSid,
      writtenTime: String(filetimeFromNanos(e.timeCreated)),
    }, `libevtx getters of record ${i}`);
  });

  const pyEvtx = readWithPythonEvtx(path);
  assert.equal(pyEvtx.headerVerified, true, 'file header CRC');
  assert.equal(pyEvtx.dirty, false);
  assert.equal(pyEvtx.full, false);
  assert.equal(pyEvtx.nextRecordId, events.length > 0 ? events[events.length - 1].recordId + 1 : 1);
  assert.equal(pyEvtx.chunkCount, pyEvtx.chunks.length);
  pyEvtx.chunks.forEach((chunk, c) => assert.equal(chunk.verified, true, `chunk ${c} header and record CRCs`));
  assert.equal(pyEvtx.records.length, events.length);
  pyEvtx.records.forEach((record, i) => assert.deepEqual(record, pythonEvtxView(events[i]), `python-evtx record ${i}`));
  return pyEvtx.chunks;
}

// EVENTLOGRECORD.EventType ([MS-ELR]): 1 error, 2 warning, 4 information, 8/16 audit success/failure.
function expectedEventType(e: ClassicEvent): number {
  if (e.keywords & 0x10000000000000n) return 16;
  if (e.keywords & 0x20000000000000n) return 8;
  return ({ 1: 1, 2: 1, 3: 2 } as Record<number, number>)[e.level] ?? 4;
}

function libevtView(e: ClassicEvent): PyevtRecord {
  const seconds = Number(e.timeCreated / 1_000_000_000n);
  return {
    recordId: e.recordId,
    eventIdentifier: e.qualifiers * 0x10000 + e.eventId,
    eventType: expectedEventType(e),
    category: e.task,
    provider: e.provider,
    computer: e.computer,
    userSid: e.userSid,
    created: seconds,
    written: seconds,
    data: e.data,
    // pyevt has no data for a record whose data length is 0
    binary: e.binary && e.binary.length > 0 ? Buffer.from(e.binary).toString('hex').toUpperCase() : null,
  };
}

/**
 * evtinfo and pyevt (libevt) must read `path` back as `events`. libevt 20200926 reports every
 * wrapped file as corrupted — it tests the wrap bit against its own state flags instead of the file
 * flags (libevt_io_handle_read_records), as with the corpus's legacy-SysEvent-WinXP.Evt — so for
 * wrapped files only the records are compared.
 */
export function assertEvtReadBack(path: string, events: ClassicEvent[], { wrapped = false } = {}): void {
  const info = libyalInfo('evtinfo', path);
  assert.equal(info.fields.get('Version'), '1.1');
  assert.equal(info.fields.get('Number of records'), String(events.length));
  assert.equal(info.fields.get('Number of recovered records'), '0');
  if (wrapped) {
    assert.ok(info.lines.includes('Has wrapped'), info.lines.join('\n'));
  } else {
    assert.ok(!info.lines.includes('Is corrupted'), info.lines.join('\n'));
    assert.ok(!info.lines.includes('Flags:'), 'evtinfo lists flags only when dirty, wrapped, full or archive is set');
  }
  const libevt = readWithPyevt(path);
  if (!wrapped) assert.equal(libevt.corrupted, false);
  assert.equal(libevt.recovered, 0);
  assert.equal(libevt.records.length, events.length);
  libevt.records.forEach((record, i) => assert.deepEqual(record, libevtView(events[i]), `record ${i}`));
}
