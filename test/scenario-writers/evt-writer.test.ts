// The legacy EVT writer against libevt (pyevt, evtinfo): every record must read back as given, with
// the 32-bit EventID, the event type of its level, times in whole seconds; the header and the
// end-of-file record must carry the same cursor.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { writeEvt } from '../../fixtures/generate/writers/evt.js';
import type { ClassicEvent } from '../../fixtures/generate/writers/evtx.js';
import { libyalInfo, readWithPyevt, type PyevtRecord } from './oracles.js';
import { sampleEvents } from './sample-events.js';

// EVENTLOGRECORD.EventType by ([MS-ELR]): 1 error, 2 warning, 4 information, 16 audit failure.
function expectedEventType(e: ClassicEvent): number {
  if (e.keywords === 0x90000000000000n) return 16;
  return ({ 1: 1, 2: 1, 3: 2, 4: 4 } as Record<number, number>)[e.level];
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

describe('writeEvt read back by libevt', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelog-evt-writer-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const events = sampleEvents(300, 2003);

  test('every record, and a clean header', () => {
    const path = join(dir, 'application.evt');
    const bytes = writeEvt(events, { logName: 'Application' });
    writeFileSync(path, bytes);

    const info = libyalInfo('evtinfo', path);
    assert.equal(info.fields.get('Version'), '1.1');
    assert.equal(info.fields.get('Number of records'), String(events.length));
    assert.equal(info.fields.get('Number of recovered records'), '0');
    assert.ok(!info.lines.includes('Is corrupted'), info.lines.join('\n'));
    assert.ok(!info.lines.includes('Flags:'), 'evtinfo lists flags only when dirty, wrapped, full or archive is set');

    const libevt = readWithPyevt(path);
    assert.equal(libevt.corrupted, false);
    assert.equal(libevt.records.length, events.length);
    libevt.records.forEach((record, i) => assert.deepEqual(record, libevtView(events[i]), `record ${i}`));

    const eofOffset = bytes.length - 0x28;
    const header = Array.from({ length: 12 }, (_, i) => bytes.readUInt32LE(4 * i));
    const last = events[events.length - 1].recordId;
    assert.deepEqual(header, [0x30, 0x654c664c, 1, 1, 0x30, eofOffset, last + 1, events[0].recordId, bytes.length, 0, 604800, 0x30]);
    const eof = Array.from({ length: 10 }, (_, i) => bytes.readUInt32LE(eofOffset + 4 * i));
    assert.deepEqual(eof, [0x28, 0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x30, eofOffset, last + 1, events[0].recordId, 0x28]);
  });

  test('is byte-identical for the same input', () => {
    assert.ok(writeEvt(events).equals(writeEvt(sampleEvents(300, 2003))));
  });

  test('rejects events of another log and values the format cannot hold', () => {
    const [e] = events;
    assert.throws(() => writeEvt([{ ...e, channel: 'System' }], { logName: 'Application' }), /record 1000: channel "System"/);
    assert.throws(() => writeEvt([{ ...e, timeCreated: 5_000_000_000n * 1_000_000_000n }]), /record 1000: timeCreated/);
    assert.throws(() => writeEvt([{ ...e, eventId: 65536 }]), /record 1000: eventId 65536/);
  });
});
