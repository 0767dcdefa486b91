// The EVTX writer against two independent parsers: libevtx (pyevtx, evtxinfo) and python-evtx must
// both read every record back exactly as it was given, and find valid CRCs and one definition per
// template and chunk.

import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { writeEvtx, writeEvtxFile, type ClassicEvent } from '../../fixtures/generate/writers/evtx.js';
import { assertEvtxReadBack } from './oracle-agreement.js';
import { sampleEvents } from './sample-events.js';

const sourceKey = (e: ClassicEvent) => `${e.provider}|${e.channel}|${e.computer}`;

describe('writeEvtx read back by libevtx and python-evtx', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelog-evtx-writer-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const events = sampleEvents(400, 818222);
  const xexch50 = (e: ClassicEvent) => e.provider === 'SmtpEvt' && e.eventId === 20031 && e.qualifiers === 49152
    && Buffer.from(e.binary ?? []).toString('latin1') === 'XEXCH50 1020';
  assert.ok(events.filter(xexch50).length >= 10, 'the sample holds KB818222\'s SmtpEvt 20031 events');

  const cases = [
    { name: 'chunks filled to 64 KiB', recordsPerChunk: undefined, minChunks: 5 },
    { name: 'at most 37 records per chunk', recordsPerChunk: 37, minChunks: 11 },
  ];
  for (const { name, recordsPerChunk, minChunks } of cases) {
    test(name, () => {
      const path = join(dir, `${minChunks}.evtx`);
      const bytes = writeEvtx(events, { recordsPerChunk });
      writeFileSync(path, bytes);
      assert.equal(bytes.length % 0x10000, 0x1000, 'file = 4 KiB header + whole chunks');

      const chunks = assertEvtxReadBack(path, events);
      assert.ok(chunks.length >= minChunks, `${chunks.length} chunks`);
      let first = 0;
      for (const [c, chunk] of chunks.entries()) {
        const inChunk = events.slice(first, first + chunk.records);
        first += chunk.records;
        assert.ok(chunk.records > 0 && chunk.records <= (recordsPerChunk ?? Infinity), `chunk ${c} records`);
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

  test('streams the same bytes to a file from a lazy sequence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgelog-evtx-stream-'));
    try {
      const path = join(dir, 'streamed.evtx');
      writeEvtxFile(path, (function* () { yield* sampleEvents(120, 5); })(), { recordsPerChunk: 50 });
      assert.ok(readFileSync(path).equals(writeEvtx(events, { recordsPerChunk: 50 })));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('rejects values the format cannot hold, naming record and field', () => {
    const [e] = events;
    assert.throws(() => writeEvtx([{ ...e, eventId: 70000 }]), /record 1000: eventId 70000/);
    assert.throws(() => writeEvtx([{ ...e, qualifiers: -1 }]), /record 1000: qualifiers -1/);
    assert.throws(() => writeEvtx([e, { ...e }]), /record 1000: recordId must ascend/);
    assert.throws(() => writeEvtx([{ ...e, userSid: 'SYSTEM' }]), /userSid: "SYSTEM"/);
    assert.throws(() => writeEvtx([{ ...e, data: ['y'.repeat(40000)] }]), /record 1000: larger than the 65024 bytes a chunk holds/);
    assert.throws(() => writeEvtx(events, { recordsPerChunk: 0 }), /recordsPerChunk/);
  });
});
