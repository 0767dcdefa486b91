// The EVTX writer against two independent parsers: libevtx (pyevtx, evtxinfo) and python-evtx must
// both read every record back exactly as it was given, and find valid CRCs and one definition per
// template and chunk.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { filetimeFromNanos } from '../../fixtures/generate/writers/classic-event.js';
import { writeEvtx, type ClassicEvent } from '../../fixtures/generate/writers/evtx.js';
import { isoFromNanos } from '../../src/util/timezone.js';
import { libyalInfo, readWithPyevtx, readWithPythonEvtx, type XmlRecord } from './oracles.js';
import { sampleEvents } from './sample-events.js';

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

/** What python-evtx renders: empty text for NULL values, times through its float conversion. */
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

const sourceKey = (e: ClassicEvent) => `${e.provider}|${e.channel}|${e.computer}`;

describe('writeEvtx read back by libevtx and python-evtx', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelog-evtx-writer-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const events = sampleEvents(400, 818222);

  const cases = [
    { name: 'chunks filled to 64 KiB', options: {}, minChunks: 5 },
    { name: 'at most 37 records per chunk', options: { recordsPerChunk: 37 }, minChunks: 11 },
  ];
  for (const { name, options, minChunks } of cases) {
    test(name, () => {
      const path = join(dir, `${minChunks}.evtx`);
      const bytes = writeEvtx(events, options);
      writeFileSync(path, bytes);
      assert.equal(bytes.length % 0x10000, 0x1000, 'file = 4 KiB header + whole chunks');

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
      assert.equal(pyEvtx.nextRecordId, events[events.length - 1].recordId + 1);
      assert.equal(pyEvtx.chunkCount, pyEvtx.chunks.length);
      assert.ok(pyEvtx.chunks.length >= minChunks, `${pyEvtx.chunks.length} chunks`);
      assert.equal(pyEvtx.records.length, events.length);
      pyEvtx.records.forEach((record, i) => assert.deepEqual(record, pythonEvtxView(events[i]), `python-evtx record ${i}`));

      let first = 0;
      for (const [c, chunk] of pyEvtx.chunks.entries()) {
        const inChunk = events.slice(first, first + chunk.records);
        first += chunk.records;
        assert.equal(chunk.verified, true, `chunk ${c} header and record CRCs`);
        assert.ok(chunk.records > 0 && chunk.records <= (options.recordsPerChunk ?? Infinity), `chunk ${c} records`);
        // One System template per source and host, plus the EventData template, each defined once.
        assert.equal(chunk.templates, new Set(inChunk.map(sourceKey)).size + 1, `chunk ${c} templates`);
      }
    });
  }
});

describe('writeEvtx output and input checks', () => {
  const events = sampleEvents(120, 5);

  test('is byte-identical for the same input', () => {
    assert.ok(writeEvtx(events).equals(writeEvtx(sampleEvents(120, 5))));
  });

  test('keeps SmtpEvt 20031 with Qualifiers and XEXCH50 binary', () => {
    const smtp = events.find((e) => e.provider === 'SmtpEvt' && e.binary?.[0] === 0x58);
    assert.ok(smtp);
    const bytes = writeEvtx([smtp]);
    assert.ok(bytes.includes(Buffer.from('SmtpEvt', 'utf16le')), 'provider name as literal template text');
    assert.ok(bytes.includes(Buffer.from(smtp.binary!)), 'binary data stored as is');
  });

  test('rejects values the format cannot hold, naming record and field', () => {
    const [e] = events;
    assert.throws(() => writeEvtx([{ ...e, eventId: 70000 }]), /record 1000: eventId 70000/);
    assert.throws(() => writeEvtx([{ ...e, qualifiers: -1 }]), /record 1000: qualifiers -1/);
    assert.throws(() => writeEvtx([e, { ...e }]), /record 1000: recordId must ascend/);
    assert.throws(() => writeEvtx([{ ...e, userSid: 'SYSTEM' }]), /userSid: "SYSTEM"/);
    assert.throws(() => writeEvtx([{ ...e, data: ['y'.repeat(40000)] }]), /record 1000: needs \d+ bytes, more than a chunk/);
    assert.throws(() => writeEvtx(events, { recordsPerChunk: 0 }), /recordsPerChunk/);
  });
});
