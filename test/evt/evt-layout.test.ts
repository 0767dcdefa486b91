// Circular-buffer layouts built from the documented format (test/evt/build-evt.ts): wrapped files at
// every possible start offset (records split across the end of the file, short tails filled with
// 0x27), dirty files with a stale header, slack records, a damaged record, a missing EOF record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRecord } from '../../src/store/records.js';
import { encodeRecord, layoutEvt, sampleRecords, type RecordSpec } from './build-evt.js';
import { readEvtBytes } from './helpers.js';

const SIZE = 1048;

function assertRecordsMatch(records: EventRecord[], specs: RecordSpec[], offsets: number[]): void {
  assert.deepEqual(
    records.map((r) => [r.record_id, r.source_offset, r.event_id, r.qualifiers, r.time_created, r.data[0]?.value, r.binary_text]),
    specs.map((s, i) => [
      s.number,
      offsets[i],
      s.eventId & 0xffff,
      s.eventId >>> 16,
      BigInt(s.time) * 1_000_000_000n,
      s.strings?.[0],
      s.data ? s.data.toString('latin1') : null,
    ]),
  );
}

test('wrapped file: every start offset of the ring, with split records and 0x27 tails', async () => {
  const specs = sampleRecords(7, 101);
  let split = 0;
  let filled = 0;
  for (let oldest = 48; oldest < SIZE; oldest += 4) {
    const layout = layoutEvt({ size: SIZE, oldest, records: specs, flags: 0x2 });
    const lengths = specs.map((s) => encodeRecord(s).length);
    if (layout.offsets.some((o, i) => o + lengths[i] > SIZE)) split++;
    if (layout.bytes.readUInt32LE(SIZE - 4) === 0x27) filled++;
    const { records, issues } = await readEvtBytes(layout.bytes);
    assertRecordsMatch(records, specs, layout.offsets);
    assert.deepEqual(
      issues.filter((i) => i.severity !== 'info'),
      [],
      `oldest ${oldest}`,
    );
  }
  assert.ok(split > 100, `layouts with a record split across the end: ${split}`);
  assert.ok(filled > 5, `layouts with a filled tail: ${filled}`);
});

test('dirty file: stale header offsets, records found through the EOF record', async () => {
  const specs = sampleRecords(7, 1);
  const layout = layoutEvt({ size: SIZE, oldest: 700, records: specs, flags: 0x3, staleHeader: { startOffset: 48, endOffset: 48 } });
  const { records, issues } = await readEvtBytes(layout.bytes);
  assertRecordsMatch(records, specs, layout.offsets);
  assert.ok(issues.some((i) => i.offset === layout.eofOffset && /end-of-file record at offset/.test(i.message)));
});

test('slack: an older record is recovered with --recover, a stale copy of a live record is not', async () => {
  const specs = sampleRecords(4, 10);
  const plainLayout = layoutEvt({ size: SIZE, oldest: 48, records: specs });
  const olderAt = plainLayout.eofOffset + 40 + 8;
  const older = encodeRecord({ ...sampleRecords(1, 5)[0] });
  const staleCopy = encodeRecord(specs[1]);
  const layout = layoutEvt({
    size: SIZE,
    oldest: 48,
    records: specs,
    slack: [
      { offset: olderAt, bytes: older },
      { offset: olderAt + older.length, bytes: staleCopy },
    ],
  });
  const plain = await readEvtBytes(layout.bytes);
  assertRecordsMatch(plain.records, specs, layout.offsets);
  assert.ok(plain.issues.some((i) => /1 older records not loaded/.test(i.message) && /1 stale copies/.test(i.message)));

  const recovered = await readEvtBytes(layout.bytes, true);
  assert.equal(recovered.records.length, 5);
  const extra = recovered.records[4];
  assert.deepEqual([extra.record_id, extra.source_offset, extra.recovered], [5, olderAt, true]);
});

test('a damaged record is reported at its offset and the walk goes on with the next one', async () => {
  const specs = sampleRecords(6, 1);
  const layout = layoutEvt({ size: SIZE, oldest: 48, records: specs });
  const damaged = Buffer.from(layout.bytes);
  const third = layout.offsets[2];
  const length = damaged.readUInt32LE(third);
  damaged.writeUInt32LE(length + 4, third + length - 4); // length copy no longer matches
  const { records, issues } = await readEvtBytes(damaged);
  assert.deepEqual(
    records.map((r) => r.record_id),
    [1, 2, 4, 5, 6],
  );
  const rejected = issues.filter((i) => i.rejected);
  assert.equal(rejected.length, 1);
  assert.equal(rejected[0].offset, third);
  assert.ok(issues.some((i) => i.message === `skipped ${length} damaged bytes from offset ${third} to ${layout.offsets[3]}`));
});

test('a string without its terminating NUL rejects the record instead of guessing', async () => {
  const specs = sampleRecords(3, 1);
  const layout = layoutEvt({ size: SIZE, oldest: 48, records: specs });
  const damaged = Buffer.from(layout.bytes);
  const second = layout.offsets[1];
  damaged.writeUInt16LE(3, second + 26); // NumStrings 3, but only one string is stored
  const { records, issues } = await readEvtBytes(damaged);
  assert.deepEqual(
    records.map((r) => r.record_id),
    [1, 3],
  );
  assert.ok(issues.some((i) => i.rejected && i.offset === second && /insertion string \d of 3/.test(i.message)));
});

test('no EOF record (file cut just before it): the records before the cut, and a warning', async () => {
  const specs = sampleRecords(5, 1);
  const layout = layoutEvt({ size: SIZE, oldest: 48, records: specs });
  const cut = layout.bytes.subarray(0, layout.eofOffset);
  const { records, issues } = await readEvtBytes(cut);
  assertRecordsMatch(records, specs, layout.offsets);
  assert.ok(issues.some((i) => i.severity === 'warning' && /no end-of-file record found/.test(i.message)));
});

test('an empty log: header and EOF record only', async () => {
  const layout = layoutEvt({ size: 48 + 200, oldest: 48, records: [] });
  const { records, issues } = await readEvtBytes(layout.bytes);
  assert.deepEqual(records, []);
  assert.deepEqual(issues, []);
});

test('user SID and channel from the default file name', async () => {
  const sid = Buffer.from('010100000000000512000000', 'hex'); // S-1-5-18
  const spec: RecordSpec = { ...sampleRecords(1, 1)[0], sid };
  const layout = layoutEvt({ size: 400, oldest: 48, records: [spec] });
  const { records } = await readEvtBytes(layout.bytes, false, 'C:\\WINDOWS\\system32\\config\\AppEvent.Evt');
  assert.equal(records[0].user_sid, 'S-1-5-18');
  assert.equal(records[0].channel, 'Application');
  for (const [name, channel] of [
    ['/logs/ISA2K-GW/System.evt', 'System'],
    ['SecEvent.Evt', 'Security'],
    ['isa-2006-10-29.evt', null],
    ['system32-copy.evt', null],
  ] as const) {
    assert.equal((await readEvtBytes(layout.bytes, false, name)).records[0].channel, channel, name);
  }
});
