// Every legacy .evt in the corpus, record by record, against libevt (python3-libevt). Recovered
// records: libevt reports every record it finds in the slack; edgelog emits (with --recover) only those
// whose record number was not already read live, because the slack holds stale copies of live records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TYPES } from '../../src/knowledge/windows-event-types.js';
import type { EventRecord } from '../../src/store/records.js';
import { CORPUS, pyevtRecords, readEvtFile, type OracleRecord } from './helpers.js';

const EVT_FILES = readdirSync(CORPUS).filter((name) => /\.evt$/i.test(name)).sort();

/** Counts checked by hand with `evtinfo` and the oracle (see the module comment for recovered). */
const EXPECTED: Record<string, { live: number; recovered: number; oracleRecovered: number }> = {
  'legacy-SysEvent-WinXP.Evt': { live: 6063, recovered: 257, oracleRecovered: 438 },
  'legacy-TestLog-dirty.evt': { live: 5, recovered: 0, oracleRecovered: 0 },
  'legacy-TestLog.evt': { live: 5, recovered: 0, oracleRecovered: 0 },
};

function assertSameRecord(ours: EventRecord, oracle: OracleRecord, where: string): void {
  assert.equal(ours.record_id, oracle.record_number, `${where}: record number`);
  assert.equal(ours.source_offset, oracle.offset, `${where}: offset`);
  assert.equal(ours.event_id, oracle.event_identifier & 0xffff, `${where}: EventID`);
  assert.equal(ours.qualifiers, oracle.event_identifier >>> 16, `${where}: Qualifiers`);
  assert.equal(ours.provider, oracle.source, `${where}: source`);
  assert.equal(ours.computer, oracle.computer, `${where}: computer`);
  assert.equal(ours.time_created, BigInt(oracle.time) * 1_000_000_000n, `${where}: time`);
  assert.equal(ours.user_sid, oracle.sid, `${where}: user SID`);
  assert.deepEqual(
    ours.data.map((d) => d.value),
    oracle.strings,
    `${where}: strings`,
  );
  assert.ok(ours.data.every((d) => d.name === null), `${where}: insertion strings have no names`);
  assert.equal(ours.binary ? Buffer.from(ours.binary).toString('hex') : null, oracle.data, `${where}: binary`);
  assert.equal(ours.level, EVENT_TYPES.get(oracle.event_type)?.level ?? null, `${where}: level from type ${oracle.event_type}`);
  assert.equal(ours.task, oracle.event_category, `${where}: task = category`);
}

test('the corpus holds the three legacy .evt files', () => {
  assert.deepEqual(EVT_FILES, Object.keys(EXPECTED).sort());
});

for (const name of EVT_FILES) {
  test(`${name}: live and recovered records agree with libevt`, async () => {
    const path = join(CORPUS, name);
    const oracle = pyevtRecords(path);
    const oracleLive = oracle.filter((r) => !r.recovered);
    const oracleRecovered = oracle.filter((r) => r.recovered);
    const expected = EXPECTED[name];
    assert.equal(oracleLive.length, expected.live, 'oracle live count');
    assert.equal(oracleRecovered.length, expected.oracleRecovered, 'oracle recovered count');

    const plain = await readEvtFile(path);
    assert.equal(plain.records.length, expected.live, 'records without --recover');
    plain.records.forEach((r, i) => {
      assert.equal(r.recovered, false);
      assertSameRecord(r, oracleLive[i], `${name} record #${i}`);
    });
    assert.ok(
      plain.issues.every((i) => !i.rejected),
      `no record rejected: ${JSON.stringify(plain.issues.filter((i) => i.rejected))}`,
    );

    const withRecover = await readEvtFile(path, true);
    const live = withRecover.records.filter((r) => !r.recovered);
    const recovered = withRecover.records.filter((r) => r.recovered);
    assert.equal(live.length, expected.live);
    assert.equal(recovered.length, expected.recovered, 'recovered records');
    const liveNumbers = new Set(oracleLive.map((r) => r.record_number));
    const oracleByNumber = new Map(oracleRecovered.filter((r) => !liveNumbers.has(r.record_number)).map((r) => [r.record_number, r]));
    assert.equal(oracleByNumber.size, expected.recovered, 'oracle recovered records with new numbers');
    for (const r of recovered) {
      const match = oracleByNumber.get(r.record_id ?? -1);
      assert.ok(match, `recovered record ${r.record_id} at ${r.source_offset} is one libevt recovered`);
      assertSameRecord(r, match, `${name} recovered ${r.record_id}`);
    }
  });
}

test('legacy-SysEvent-WinXP.Evt: channel, binary text and SID rendering', async () => {
  const { records } = await readEvtFile(join(CORPUS, 'legacy-SysEvent-WinXP.Evt'));
  assert.ok(records.every((r) => r.channel === 'System'), 'channel from the SysEvent file name');
  assert.equal(records.filter((r) => r.binary !== null).length, 811, 'records with binary data (evtx-format.md 14)');
  const withSid = records.find((r) => r.user_sid !== null);
  assert.deepEqual([withSid?.record_id, withSid?.source_offset, withSid?.user_sid], [2314, 267600, 'S-1-5-18']);
  const first = records[0];
  assert.equal(first.record_id, 1392);
  assert.equal(first.event_id, 40961);
  assert.equal(first.qualifiers, 0x8000);
  assert.equal(first.keywords, 0x80000000000000n);
  assert.equal(first.level, 3);
  const last = records[records.length - 1];
  assert.equal(last.record_id, 7454);
});

test('legacy-TestLog.evt: event types map to levels and keywords as Windows renders them', async () => {
  const { records } = await readEvtFile(join(CORPUS, 'legacy-TestLog.evt'));
  assert.deepEqual(
    records.map((r) => [r.record_id, r.level, r.keywords?.toString(16)]),
    [
      [1, 4, '80000000000000'],
      [2, 2, '80000000000000'],
      [3, 3, '80000000000000'],
      [4, 0, '90000000000000'], // failure audit
      [5, 0, 'a0000000000000'], // success audit
    ],
  );
  assert.equal(records[0].channel, null, 'no channel for an unknown log file name');
  assert.equal(records[3].event_id, 65534);
  assert.equal(records[3].binary_text, 'Test Binary Data');
  assert.equal(records[4].binary_text, 'Test Binary Data 2');
});
