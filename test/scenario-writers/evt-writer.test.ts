// The legacy EVT writer against libevt (pyevt, evtinfo): every record must read back as given, with
// the 32-bit EventID, the event type of its level, times in whole seconds; the header and the
// end-of-file record must carry the same cursor, also when the circular buffer has wrapped.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { writeEvt } from '../../fixtures/generate/writers/evt.js';
import { assertEvtReadBack } from './oracle-agreement.js';
import { sampleEvents } from './sample-events.js';

describe('writeEvt read back by libevt', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelog-evt-writer-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const events = sampleEvents(300, 2003);

  test('every record, and a clean header', () => {
    const path = join(dir, 'application.evt');
    const bytes = writeEvt(events, { logName: 'Application' });
    writeFileSync(path, bytes);

    assertEvtReadBack(path, events);

    const eofOffset = bytes.length - 0x28;
    const header = Array.from({ length: 12 }, (_, i) => bytes.readUInt32LE(4 * i));
    const last = events[events.length - 1].recordId;
    assert.deepEqual(header, [0x30, 0x654c664c, 1, 1, 0x30, eofOffset, last + 1, events[0].recordId, bytes.length, 0, 604800, 0x30]);
    const eof = Array.from({ length: 10 }, (_, i) => bytes.readUInt32LE(eofOffset + 4 * i));
    assert.deepEqual(eof, [0x28, 0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x30, eofOffset, last + 1, events[0].recordId, 0x28]);
  });

  test('wrapped: records run past the end of the file and continue after the header', () => {
    const path = join(dir, 'wrapped.evt');
    const bytes = writeEvt(events, { wrapped: true });
    writeFileSync(path, bytes);
    assert.equal(bytes.length % 0x10000, 0, 'maximum size is a multiple of 64 KiB');

    assertEvtReadBack(path, events, { wrapped: true });

    // libevt reports wrapped files as corrupted whatever their state; walk the circular buffer here.
    const [oldest, eof, next, oldestNumber, maxSize, flags] = [16, 20, 24, 28, 32, 36].map((o) => bytes.readUInt32LE(o));
    assert.deepEqual([next, oldestNumber, maxSize, flags], [events[events.length - 1].recordId + 1, events[0].recordId, bytes.length, 0x2]);
    assert.ok(oldest > eof, 'the oldest record lies after the end-of-file record');
    const at = (offset: number) => (offset >= bytes.length ? offset - bytes.length + 0x30 : offset);
    const u32 = (offset: number) => Buffer.from([0, 1, 2, 3].map((k) => bytes[at(offset + k)])).readUInt32LE(0);
    let offset = oldest;
    let split = 0;
    for (const e of events) {
      const length = u32(offset);
      assert.deepEqual([u32(offset + 4), u32(offset + 8), u32(offset + length - 4)], [0x654c664c, e.recordId, length]);
      if (offset + length > bytes.length) split++;
      offset = at(offset + length);
    }
    assert.equal(split, 1, 'exactly one record is split by the end of the file');
    assert.equal(offset, eof);
    assert.equal(u32(eof + 4), 0x11111111);
  });

  test('is byte-identical for the same input', () => {
    assert.ok(writeEvt(events).equals(writeEvt(sampleEvents(300, 2003))));
    assert.ok(writeEvt(events, { wrapped: true }).equals(writeEvt(sampleEvents(300, 2003), { wrapped: true })));
  });

  test('rejects events of another log and values the format cannot hold', () => {
    const [e] = events;
    assert.throws(() => writeEvt([{ ...e, channel: 'System' }], { logName: 'Application' }), /record 1000: channel "System"/);
    assert.throws(() => writeEvt([{ ...e, timeCreated: 5_000_000_000n * 1_000_000_000n }]), /record 1000: timeCreated/);
    assert.throws(() => writeEvt([{ ...e, eventId: 65536 }]), /record 1000: eventId 65536/);
  });
});
