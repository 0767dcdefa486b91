// Windows' own XML exports of the win11 .evtx files, read with the event-xml reader and checked
// three ways: exact counts and first/last values (hand-checked in the files), every field against an
// independent regular-expression reading of the same text, and the System fields against libevtx
// (python3-libevtx) reading the matching .evtx file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventXmlReader } from '../../src/readers/eventexport/xml-reader.js';
import type { EventRecord } from '../../src/store/records.js';
import { isoFromNanos, nanosFromIso } from '../../src/util/timezone.js';
import { CORPUS, readFileWith } from './helpers.js';

const FILES = {
  Application: { events: 366, withMessage: 366, withUserData: 10, first: [366, '2025-06-08T07:14:05.1454614Z'], last: [1, '2025-06-03T00:42:22.4659145Z'] },
  System: { events: 1247, withMessage: 0, withUserData: 0, first: [1247, '2025-06-08T07:15:00.0513480Z'], last: [1, '2025-06-03T00:42:34.9347115Z'] },
  Security: { events: 1715, withMessage: 0, withUserData: 3, first: [1715, '2025-06-08T07:15:09.2216228Z'], last: [1, '2025-06-03T00:42:16.2250385Z'] },
} as const;

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[e] ?? '';
  });
}

/** The fields of one <Event>…</Event> string, read with regular expressions only. */
function regexView(event: string) {
  const system = /<System>([\s\S]*?)<\/System>/.exec(event)?.[1] ?? '';
  const one = (re: RegExp) => {
    const m = re.exec(system);
    return m ? decodeEntities(m[1]) : null;
  };
  const num = (re: RegExp) => {
    const v = one(re);
    return v === null ? null : Number(v);
  };
  const eventData = /<EventData(?: [^>]*)?>([\s\S]*?)<\/EventData>/.exec(event)?.[1] ?? '';
  const data = [...eventData.matchAll(/<Data(?: Name='([^']*)')?(?:\/>|>([\s\S]*?)<\/Data>)/g)].map((m) => ({
    name: m[1] === undefined ? null : decodeEntities(m[1]),
    value: decodeEntities(m[2] ?? ''),
  }));
  const binary = /<Binary>([0-9A-F]*)<\/Binary>/.exec(eventData)?.[1]; // empty element → empty bytes
  const time = one(/<TimeCreated SystemTime='([^']*)'/);
  return {
    record_id: num(/<EventRecordID>(\d+)</),
    time_created: time === null ? null : nanosFromIso(time),
    provider: one(/<Provider Name='([^']*)'/),
    provider_guid: one(/<Provider [^>]*Guid='([^']*)'/),
    event_id: num(/<EventID[^>]*>(\d+)</),
    qualifiers: num(/<EventID Qualifiers='(\d+)'/),
    version: num(/<Version>(\d+)</),
    level: num(/<Level>(\d+)</),
    task: num(/<Task>(\d+)</),
    opcode: num(/<Opcode>(\d+)</),
    keywords: one(/<Keywords>(0x[0-9a-f]+)</),
    channel: one(/<Channel>([^<]*)</),
    computer: one(/<Computer>([^<]*)</),
    user_sid: one(/<Security UserID='([^']*)'/),
    process_id: num(/<Execution ProcessID='(\d+)'/),
    thread_id: num(/<Execution [^>]*ThreadID='(\d+)'/),
    message: (() => {
      const m = /<RenderingInfo[^>]*>[\s\S]*?<Message>([\s\S]*?)<\/Message>/.exec(event);
      return m ? decodeEntities(m[1]) : null;
    })(),
    binary: binary === undefined ? null : binary.toLowerCase(),
    eventSourceName: one(/<Provider [^>]*EventSourceName='([^']*)'/),
    data,
    hasUserData: event.includes('<UserData>'),
  };
}

function ourView(r: EventRecord) {
  return {
    record_id: r.record_id,
    time_created: r.time_created,
    provider: r.provider,
    provider_guid: r.provider_guid,
    event_id: r.event_id,
    qualifiers: r.qualifiers,
    version: r.version,
    level: r.level,
    task: r.task,
    opcode: r.opcode,
    keywords: r.keywords === null ? null : `0x${r.keywords.toString(16)}`,
    channel: r.channel,
    computer: r.computer,
    user_sid: r.user_sid,
    process_id: r.process_id,
    thread_id: r.thread_id,
    message: r.message,
    binary: r.binary ? Buffer.from(r.binary).toString('hex') : null,
  };
}

function pyevtxRecords(path: string): Array<Record<string, string | number | null>> {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const script = fileURLToPath(new URL('./pyevtx-oracle.py', import.meta.url));
  const run = spawnSync(python, [script, path], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (run.status !== 0) throw new Error(`pyevtx oracle failed on ${path}: ${run.stderr}`);
  return run.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, string | number | null>);
}

for (const [log, expected] of Object.entries(FILES)) {
  const xmlPath = join(CORPUS, `win11-${log}.windows.xml`);

  test(`win11-${log}.windows.xml: ${expected.events} events, every field as written`, async () => {
    const head = readFileSync(xmlPath).subarray(0, 65536);
    assert.equal(eventXmlReader.sniff(head), true, 'detected by content');
    const { records, issues } = await readFileWith(eventXmlReader, xmlPath);
    assert.deepEqual(issues, []);
    assert.equal(records.length, expected.events);
    assert.deepEqual([records[0].record_id, isoFromNanos(records[0].time_created ?? 0n)], expected.first);
    const last = records[records.length - 1];
    assert.deepEqual([last.record_id, isoFromNanos(last.time_created ?? 0n)], expected.last);
    assert.equal(records.filter((r) => r.message !== null).length, expected.withMessage);

    const text = readFileSync(xmlPath, 'utf8');
    const events = [...text.matchAll(/<Event xmlns=[\s\S]*?<\/Event>/g)];
    assert.equal(events.length, records.length);
    let compared = 0;
    let withUserData = 0;
    events.forEach((match, i) => {
      const expectedView = regexView(match[0]);
      const ours = records[i];
      const { data, hasUserData, eventSourceName, ...system } = expectedView;
      assert.deepEqual(ourView(ours), system, `event #${i} (record ${ours.record_id})`);
      assert.equal(ours.source_offset, Buffer.byteLength(text.slice(0, match.index), 'utf8'), `event #${i}: byte offset`);
      if (hasUserData) {
        withUserData++;
        assert.ok(ours.data.length > 0, `event #${i}: UserData values`);
      } else {
        assert.deepEqual(ours.data, data, `event #${i} EventData`);
      }
      compared++;
    });
    assert.equal(compared, expected.events);
    assert.equal(withUserData, expected.withUserData);
  });

  test(`win11-${log}.windows.xml agrees with libevtx reading win11-${log}.evtx`, async () => {
    const { records } = await readFileWith(eventXmlReader, xmlPath);
    // libevtx reports a classic source bound to a manifest provider by its EventSourceName.
    const text = readFileSync(xmlPath, 'utf8');
    const sourceNames = new Map(
      [...text.matchAll(/<Event xmlns=[\s\S]*?<\/Event>/g)].map((m) => [regexView(m[0]).record_id, regexView(m[0]).eventSourceName]),
    );
    const oracle = pyevtxRecords(join(CORPUS, `win11-${log}.evtx`));
    assert.equal(oracle.length, expected.events, 'libevtx record count');
    const byId = new Map(records.map((r) => [r.record_id, r]));
    assert.equal(byId.size, records.length, 'record ids are unique');
    for (const o of oracle) {
      const ours = byId.get(o.record_id as number);
      assert.ok(ours, `record ${o.record_id} exported`);
      const where = `record ${o.record_id}`;
      assert.equal(ours.time_created, nanosFromIso(o.time as string), `${where}: TimeCreated to 100 ns`);
      assert.equal(ours.event_id, o.event_id, `${where}: EventID`);
      assert.equal(ours.qualifiers, o.qualifiers, `${where}: Qualifiers`);
      assert.equal(ours.level, o.level, `${where}: Level`);
      assert.equal(sourceNames.get(ours.record_id) ?? ours.provider, o.provider, `${where}: Provider (or EventSourceName)`);
      assert.equal(ours.computer, o.computer, `${where}: Computer`);
      assert.equal(ours.channel, o.channel, `${where}: Channel`);
    }
  });
}
