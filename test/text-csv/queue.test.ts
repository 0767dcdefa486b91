import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queueExportReader as reader } from '../../src/readers/queue/reader.js';
import { dateOrderOf, parseCultureTime, parseDmtfTime } from '../../src/readers/queue/export-time.js';
import type { QueueMessageRecord, QueueSnapshotRecord } from '../../src/store/records.js';
import { isoFromNanos, parseZone } from '../../src/util/timezone.js';
import { fixture, readAll } from './read-helper.js';

const iso = (ns: bigint | null) => (ns === null ? null : isoFromNanos(ns, 0));
const NEW_YORK = parseZone('America/New_York');

test('ESM Export List (TAB, en-US) with --tz across the 2006 DST start; malformed line 4', async () => {
  const bytes = await fixture('queue/esm-export-list.txt');
  assert.equal(reader.sniff(bytes), true);
  const { records, issues, timeRules } = await readAll(reader, bytes, { tz: NEW_YORK });
  const rows = records as QueueSnapshotRecord[];
  assert.deepEqual(timeRules, [
    "local time in the exporting culture's format (month/day/year; year first where written so), zone America/New_York (--tz)",
  ]);
  assert.deepEqual(issues.map((i) => [i.line, i.severity, i.rejected]), [[4, 'error', true]]);
  assert.match(issues[0].message, /^line 4: Time of Next Connection Retry is not a date and time: "soon"/);
  assert.deepEqual(
    rows.map((r) => [r.line_no, r.queue_name, r.next_hop_domain, r.state, r.message_count, r.size_bytes, iso(r.oldest_message_time), iso(r.next_retry_time)]),
    [
      [2, 'partner.example', 'partner.example', 'Retry', 12, 65536, '2006-04-02T04:30:00Z', '2006-04-02T07:30:00Z'],
      [3, 'fabrikam.example', 'fabrikam.example', 'Active', 1, 5120, '2006-03-14T14:12:00Z', null],
      [5, 'Messages awaiting directory lookup', null, 'Ready', 0, 0, null, null],
    ],
  );
  assert.ok(rows.every((r) => r.table === 'queue_snapshots' && r.snapshot_time === null && r.server === null));
});

test('ESM Export List without --tz: one warning, local times stored as UTC', async () => {
  const { records, issues, timeRules } = await readAll(reader, await fixture('queue/esm-export-list.txt'));
  assert.equal(issues.filter((i) => i.severity === 'warning').length, 1);
  assert.match(timeRules[0], /read as UTC \(no --tz given\)$/);
  assert.equal(iso((records[0] as QueueSnapshotRecord).oldest_message_time), '2006-04-01T23:30:00Z');
});

test('ESM Export List (comma, en-GB, BOM + CRLF): day-first dates, counts with separators', async () => {
  const bytes = await fixture('queue/esm-export-list-en-gb.csv');
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.equal(reader.sniff(bytes), true);
  const { records, issues, timeRules } = await readAll(reader, bytes, { tz: parseZone('Europe/London') });
  const rows = records as QueueSnapshotRecord[];
  assert.deepEqual(issues, []);
  assert.match(timeRules[0], /\(day\/month\/year;/);
  assert.deepEqual(
    rows.map((r) => [r.queue_name, r.next_hop_domain, r.message_count, r.size_bytes, iso(r.oldest_message_time), iso(r.next_retry_time)]),
    [
      ['partner.example', 'partner.example', 1204, 2048 * 1024, '2006-03-14T09:12:44Z', '2006-03-16T09:22:00Z'],
      ['Final destination currently unreachable', null, 2, 7 * 1024, '2006-04-03T09:00:00Z', null], // BST
    ],
  );
});

test('WMI Exchange_SMTPLink Export-Csv (#TYPE): state from booleans, DMTF times with their offset', async () => {
  const bytes = await fixture('queue/wmi-exchange-link.csv');
  assert.equal(reader.sniff(bytes), true);
  const { records, issues, timeRules } = await readAll(reader, bytes);
  const rows = records as QueueSnapshotRecord[];
  assert.deepEqual(issues, []); // DMTF times need no --tz
  assert.deepEqual(timeRules, ['WMI DMTF datetimes, converted with their own UTC offset']);
  assert.deepEqual(
    rows.map((r) => [r.server, r.link_name, r.next_hop_domain, r.state, r.message_count, r.size_bytes, iso(r.oldest_message_time), iso(r.next_retry_time), r.last_error]),
    [
      ['EXCH01', 'partner.example', 'partner.example', 'Retry', 12, 65536, '2006-03-14T14:12:44Z', '2006-03-16T14:22:00Z', 'The connection was dropped by the remote host.'],
      ['EXCH01', 'fabrikam.example', 'fabrikam.example', 'Active', 1, 5120, '2006-03-16T13:59:00Z', null, null],
      ['EXCH01', 'Messages awaiting directory lookup', null, 'Ready', 0, 0, null, null, null],
    ],
  );
});

test('WMI Exchange_Queue via WMIC /format:csv (UTF-16LE, blank first line, Node column)', async () => {
  const bytes = await fixture('queue/wmi-exchange-queue.csv');
  assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xfe]);
  assert.equal(reader.sniff(bytes), true);
  const { records, issues } = await readAll(reader, bytes);
  assert.deepEqual(issues, []);
  assert.deepEqual(
    (records as QueueSnapshotRecord[]).map((r) => [r.line_no, r.server, r.queue_name, r.link_name, r.next_hop_domain, r.message_count, r.size_bytes, r.state]),
    [
      [3, 'EXCH01', 'partner.example', 'partner.example', 'partner.example', 12, 65536, null],
      [4, 'EXCH01', 'fabrikam.example', 'fabrikam.example', 'fabrikam.example', 1, 5120, null],
    ],
  );
});

test('Get-Queue Export-Csv (#TYPE, BOM + CRLF, year-first culture) with --tz; malformed line 5', async () => {
  const bytes = await fixture('queue/get-queue.csv');
  assert.equal(reader.sniff(bytes), true);
  const { records, issues } = await readAll(reader, bytes, { tz: parseZone('Asia/Shanghai') });
  const rows = records as QueueSnapshotRecord[];
  assert.deepEqual(issues.map((i) => [i.line, i.rejected]), [[5, true]]);
  assert.match(issues[0].message, /NextRetryTime is not a date and time: "2019\/11\/31 13:40:00"/);
  assert.deepEqual(
    rows.map((r) => [r.line_no, r.server, r.queue_name, r.next_hop_domain, r.state, r.message_count, iso(r.next_retry_time)]),
    [
      [3, 'HUB01', 'HUB01\\partner.example', 'partner.example', 'Retry', 12481, '2019-11-04T05:41:05Z'],
      [4, 'HUB01', 'HUB01\\Submission', 'Submission', 'Ready', 0, null],
    ],
  );
  assert.equal(
    rows[0].last_error,
    '[<LRI-2019/11/4 13:31:03>; <LED-451 4.4.0 Primary target IP address responded with: "454 4.7.0 Temporary authentication failure." Attempted to alternate host, but that did not succeed.>;<FQDN-mx.partner.example>;<IP=203.0.113.25>]',
  );
});

test('Get-Message Export-Csv (no #TYPE) around the 2019 US DST end, quoted line break', async () => {
  const bytes = await fixture('queue/get-message.csv');
  assert.equal(reader.sniff(bytes), true);
  const { records, issues, timeRules } = await readAll(reader, bytes, { tz: NEW_YORK });
  const rows = records as QueueMessageRecord[];
  assert.deepEqual(issues, []);
  assert.match(timeRules[0], /month\/day\/year assumed, no sample told/);
  assert.deepEqual(
    rows.map((r) => [r.table, r.line_no, r.server, r.queue_name, r.message_id, r.sender, r.status, r.size_bytes, r.retry_count, iso(r.received_time), iso(r.expiration_time)]),
    [
      ['queue_messages', 2, 'HUB01', 'HUB01\\partner.example', '<b2@contoso.com>', 'bob@contoso.com', 'Retry', 25910, 5, '2019-11-02T14:00:00Z', '2019-11-04T15:00:00Z'],
      // 1:30 AM on 2019-11-03 happens twice in New York: the first (EDT) instance is taken.
      ['queue_messages', 4, 'HUB01', 'HUB01\\partner.example', '<c3@contoso.com>', 'ann@contoso.com', 'Retry', 1229, 2, '2019-11-03T05:30:00Z', '2019-11-05T06:30:00Z'],
    ],
  );
  assert.equal(rows[0].last_error, '451 4.4.0 Primary target IP address responded with: "421 4.4.2 Connection dropped."\nAttempted failover to alternate host, but that did not succeed.');
  assert.equal(rows[1].subject, 'Re: plans, "final"');
  assert.equal(rows[1].recipients, '{joe@partner.example;kim@partner.example}');
});

test('culture and DMTF time parsing', () => {
  assert.deepEqual(parseCultureTime('3/14/2006 9:12 PM', 'mdy'), { year: 2006, month: 3, day: 14, hour: 21, minute: 12, second: 0 });
  assert.deepEqual(parseCultureTime('12/1/2006 12:05:09 AM', 'mdy'), { year: 2006, month: 12, day: 1, hour: 0, minute: 5, second: 9 });
  assert.deepEqual(parseCultureTime('01.04.2006 13:00', 'dmy'), { year: 2006, month: 4, day: 1, hour: 13, minute: 0, second: 0 });
  assert.deepEqual(parseCultureTime('2019/11/4 13:31:03', 'dmy'), { year: 2019, month: 11, day: 4, hour: 13, minute: 31, second: 3 });
  assert.equal(parseCultureTime('13:00 PM 1/1/2006', 'mdy'), null);
  assert.equal(parseCultureTime('2/30/2006 1:00', 'mdy'), null);
  assert.deepEqual(dateOrderOf(['14.03.2006 09:00', '01.04.2006 10:00']), { order: 'dmy', decided: true });
  assert.deepEqual(dateOrderOf(['4/1/2006 1:00 AM', '3/14/2006 9:12 AM']), { order: 'mdy', decided: true });
  assert.deepEqual(dateOrderOf(['2019/11/4 13:31:03', '']), { order: 'mdy', decided: false });
  assert.equal(isoFromNanos(parseDmtfTime('20060314091244.500000+060') ?? 0n, 3), '2006-03-14T08:12:44.500Z');
  assert.equal(parseDmtfTime('********000000.000000+000'), null);
});

test('queue sniff: needs a known header row', () => {
  assert.equal(reader.sniff(Buffer.from('Name,Protocol,Source\r\nx,y,z\r\n')), false);
  assert.equal(reader.sniff(Buffer.from('#Software: Microsoft Exchange Server\r\n#Fields: date-time,connector-id\r\n')), false);
  assert.equal(reader.sniff(Buffer.from('"Identity","NextHopDomain","Status"\n')), true);
});

test('snapshot time from a yyyymmdd-hhmm file name, local time with --tz across the 2007 US DST start', async () => {
  const bytes = await fixture('queue/esm-export-list.txt');
  const snapshotTimes = async (path: string) => {
    const { records, timeRules } = await readAll(reader, bytes, { tz: NEW_YORK, path });
    return { times: [...new Set(records.map((r) => iso((r as QueueSnapshotRecord).snapshot_time)))], timeRules };
  };
  const before = await snapshotTimes('fixtures/scenario/EXCH01/Queues/queues-20070310-0830.txt');
  assert.deepEqual(before.times, ['2007-03-10T13:30:00Z']); // EST, UTC-5
  assert.deepEqual(before.timeRules, [
    "local time in the exporting culture's format (month/day/year; year first where written so), zone America/New_York (--tz); " +
      'snapshot time from the file name (yyyymmdd-hhmm), local time, zone America/New_York (--tz)',
  ]);
  assert.deepEqual((await snapshotTimes('C:\\Exports\\Queues\\queues-20070311-0830.txt')).times, ['2007-03-11T12:30:00Z']); // EDT, UTC-4
  // Only the base name counts: a stamp in a folder name is not the export's.
  assert.deepEqual((await snapshotTimes('/exports/20070311-0830/queues.txt')).times, [null]);
});

test('snapshot time from a yyyymmdd_hhmmss file name on Get-Queue and Get-Message exports', async () => {
  const queues = await readAll(reader, await fixture('queue/get-queue.csv'), { tz: NEW_YORK, path: 'get-queue_20070311_083559.csv' });
  assert.deepEqual(queues.records.map((r) => iso((r as QueueSnapshotRecord).snapshot_time)), ['2007-03-11T12:35:59Z', '2007-03-11T12:35:59Z']);
  assert.match(queues.timeRules[0], /\(--tz\); snapshot time from the file name \(yyyymmdd-hhmmss\), local time, zone America\/New_York \(--tz\)$/);
  const messages = await readAll(reader, await fixture('queue/get-message.csv'), { tz: NEW_YORK, path: 'get-message-20191103-0130.csv' });
  // 1:30 AM on 2019-11-03 happens twice in New York: the first (EDT) instance is taken, as for the export's own times.
  assert.deepEqual(messages.records.map((r) => [r.table, iso((r as QueueMessageRecord).snapshot_time)]), [
    ['queue_messages', '2019-11-03T05:30:00Z'],
    ['queue_messages', '2019-11-03T05:30:00Z'],
  ]);
});

test('file-name snapshot time without --tz: read as UTC with the one warning, also for WMI dumps', async () => {
  const esm = await readAll(reader, await fixture('queue/esm-export-list.txt'), { path: 'queues-20070310-0830.txt' });
  assert.equal(esm.issues.filter((i) => i.severity === 'warning').length, 1);
  assert.equal(iso((esm.records[0] as QueueSnapshotRecord).snapshot_time), '2007-03-10T08:30:00Z');
  assert.match(esm.timeRules[0], /\(no --tz given\); snapshot time from the file name \(yyyymmdd-hhmm\), local time, read as UTC \(no --tz given\)$/);
  // WMI times carry their offset, so only the file-name stamp needs (and warns about) the zone.
  const wmi = await readAll(reader, await fixture('queue/wmi-exchange-link.csv'), { path: 'links-20060316-1500.csv' });
  assert.deepEqual(wmi.issues.map((i) => i.severity), ['warning']);
  assert.equal(iso((wmi.records[0] as QueueSnapshotRecord).snapshot_time), '2006-03-16T15:00:00Z');
  assert.deepEqual(wmi.timeRules, [
    'WMI DMTF datetimes, converted with their own UTC offset; snapshot time from the file name (yyyymmdd-hhmm), local time, read as UTC (no --tz given)',
  ]);
});

test('file names without a valid stamp keep snapshot_time NULL', async () => {
  const bytes = await fixture('queue/esm-export-list.txt');
  for (const path of ['queues.txt', 'queues-2007-03-10-0830.txt', 'queues-20071310-0830.txt', 'queues-20070310-2530.txt', 'queues-120070310-0830.txt']) {
    const { records, timeRules } = await readAll(reader, bytes, { tz: NEW_YORK, path });
    assert.equal(records.length, 3, path);
    assert.ok(records.every((r) => (r as QueueSnapshotRecord).snapshot_time === null), path);
    assert.deepEqual(timeRules, ["local time in the exporting culture's format (month/day/year; year first where written so), zone America/New_York (--tz)"], path);
  }
});
