// The hand-made SmtpEvt 20031 exports (fixtures/eventexport, constructed from the documented layout):
// XML in both Windows shapes, CSV and TXT with --tz America/New_York across DST changes, detection by
// content, and the same events agreeing across the three forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectReader } from '../../src/readers/registry.js';
import { eventCsvReader, eventTxtReader } from '../../src/readers/eventexport/text-export-reader.js';
import { eventXmlReader } from '../../src/readers/eventexport/xml-reader.js';
import { isoFromNanos } from '../../src/util/timezone.js';
import { FIXTURES, readBytesWith, readFileWith } from './helpers.js';

const CLASSIC = 0x80000000000000n;

test('each fixture is detected by content as its own format', () => {
  const expected: Record<string, string> = {
    'smtpevt-20031.wevtutil.xml': 'event-xml',
    'smtpevt-20031.saved.xml': 'event-xml',
    'smtpevt-20031.csv': 'event-csv',
    'smtpevt-20031.txt': 'event-txt',
  };
  for (const [file, format] of Object.entries(expected)) {
    const head = readFileSync(join(FIXTURES, file)).subarray(0, 65536);
    assert.equal(detectReader(head)?.name, format, file);
  }
});

test('wevtutil XML (no root): three events with Binary, entities and byte offsets', async () => {
  const path = join(FIXTURES, 'smtpevt-20031.wevtutil.xml');
  const bytes = readFileSync(path);
  const { records, issues, timeRules } = await readFileWith(eventXmlReader, path);
  assert.deepEqual(issues, []);
  assert.deepEqual(timeRules, ['UTC as exported (SystemTime)']);
  assert.deepEqual(
    records.map((r) => [r.record_id, isoFromNanos(r.time_created ?? 0n), r.provider, r.event_id, r.qualifiers, r.level, r.channel, r.computer, r.binary_text]),
    [
      [4711, '2006-10-28T17:05:12.0000000Z', 'SmtpEvt', 20031, 49152, 2, 'Application', 'ISA01', 'XEXCH50 1020'],
      [4712, '2006-10-29T05:30:00.0000000Z', 'SmtpEvt', 20031, 49152, 2, 'Application', 'ISA01', 'XEXCH50 1028'],
      [4713, '2006-10-29T08:15:00.0000000Z', 'Service Control Manager', 7036, 16384, 4, 'System', 'ISA01', null],
    ],
  );
  assert.equal(Buffer.from(records[0].binary ?? []).toString('hex'), '584558434835302031303230');
  assert.equal(records[0].keywords, CLASSIC);
  assert.deepEqual(records[0].data, [{ name: null, value: '' }]);
  assert.deepEqual(records[2].data, [
    { name: null, value: 'Microsoft Firewall' },
    { name: null, value: 'running & <started>' },
  ]);
  let from = 0;
  for (const r of records) {
    const at = bytes.indexOf('<Event xmlns', from);
    assert.equal(r.source_offset, at);
    from = at + 1;
  }
});

test('Event Viewer "Save as XML" (<Events> root, BOM): the description becomes message', async () => {
  const path = join(FIXTURES, 'smtpevt-20031.saved.xml');
  const { records, issues } = await readFileWith(eventXmlReader, path);
  assert.deepEqual(issues, []);
  assert.equal(records.length, 1);
  const [r] = records;
  assert.deepEqual(
    [r.record_id, r.provider, r.event_id, r.qualifiers, r.version, r.opcode, r.process_id, r.message, r.binary_text],
    [4711, 'SmtpEvt', 20031, 49152, 0, 0, 0, 'An unknown SMTP command', 'XEXCH50 1020'],
  );
  assert.equal(r.source_offset, readFileSync(path).indexOf('<Event xmlns'));
});

test('the same XML as UTF-16LE (PowerShell redirect): same records, offsets in UTF-16 bytes', async () => {
  const text = readFileSync(join(FIXTURES, 'smtpevt-20031.wevtutil.xml'), 'utf8');
  const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  assert.equal(eventXmlReader.sniff(bytes.subarray(0, 4096)), true);
  const { records, issues } = await readBytesWith(eventXmlReader, bytes);
  assert.deepEqual(issues, []);
  assert.deepEqual(
    records.map((r) => [r.record_id, r.binary_text, r.source_offset]),
    [
      [4711, 'XEXCH50 1020', 2 + 2 * text.indexOf('<Event xmlns')],
      [4712, 'XEXCH50 1028', 2 + 2 * text.indexOf('<Event xmlns', text.indexOf('<Event xmlns') + 1)],
      [4713, null, 2 + 2 * text.lastIndexOf('<Event xmlns')],
    ],
  );
});

/** America/New_York local times in the CSV/TXT fixtures → UTC, worked out by hand (EDT −4, EST −5). */
const NEW_YORK_ROWS = [
  ['2006-10-28T17:05:12.0000000Z', 'SmtpEvt', 20031, 2, 'An unknown SMTP command', 1], // 1:05:12 PM EDT
  ['2006-10-29T05:30:00.0000000Z', 'SmtpEvt', 20031, 2, 'An unknown SMTP command', 2], // 1:30 AM, ambiguous: first (EDT)
  ['2006-10-29T08:15:00.0000000Z', 'Service Control Manager', 7036, 4, 'The Microsoft Firewall service entered the running state.', 3], // 3:15 AM EST
  ['2006-04-02T07:30:00.0000000Z', 'SmtpEvt', 20031, 2, 'An unknown SMTP command', 4], // 2:30 AM in the gap → 3:30 EDT
];

for (const [reader, file] of [
  [eventCsvReader, 'smtpevt-20031.csv'],
  [eventTxtReader, 'smtpevt-20031.txt'],
] as const) {
  test(`${file} with --tz America/New_York: exact UTC times across DST changes`, async () => {
    const { records, issues, timeRules } = await readFileWith(reader, join(FIXTURES, file), 'America/New_York');
    assert.deepEqual(issues, []);
    assert.deepEqual(timeRules, ['local time, zone America/New_York (--tz)']);
    assert.deepEqual(
      records.map((r) => [isoFromNanos(r.time_created ?? 0n), r.provider, r.event_id, r.level, r.message, r.source_offset]),
      NEW_YORK_ROWS,
    );
    for (const r of records) {
      assert.deepEqual(
        [r.record_id, r.qualifiers, r.task, r.keywords, r.computer, r.user_sid, r.binary, r.binary_text, r.channel, r.data],
        [null, null, 0, CLASSIC, 'ISA01', null, null, null, null, []],
      );
    }
  });

  test(`${file} without --tz: read as UTC with one warning`, async () => {
    const { records, issues, timeRules } = await readFileWith(reader, join(FIXTURES, file));
    assert.deepEqual(timeRules, ['local time read as UTC (no --tz given)']);
    assert.equal(issues.length, 1);
    assert.equal(issues[0].severity, 'warning');
    assert.match(issues[0].message, /no --tz/);
    assert.deepEqual(
      records.map((r) => isoFromNanos(r.time_created ?? 0n)),
      ['2006-10-28T13:05:12.0000000Z', '2006-10-29T01:30:00.0000000Z', '2006-10-29T03:15:00.0000000Z', '2006-04-02T02:30:00.0000000Z'],
    );
  });
}

test('the XML, CSV and TXT forms of the same events agree on time, source, ID and level', async () => {
  const xml = (await readFileWith(eventXmlReader, join(FIXTURES, 'smtpevt-20031.wevtutil.xml'))).records;
  const csv = (await readFileWith(eventCsvReader, join(FIXTURES, 'smtpevt-20031.csv'), 'America/New_York')).records;
  const key = (r: (typeof xml)[number]) => [r.time_created, r.provider, r.event_id, r.level, r.keywords];
  assert.deepEqual(xml.map(key), csv.slice(0, 3).map(key));
});

test('CSV: header line, quoted and multi-line descriptions, bad rows reported by line', async () => {
  const text = [
    'Date,Time,Source,Type,Category,Event,User,Computer,Description',
    '10/9/2006,5:00:15 AM,MSExchangeTransport,Warning,Connection Manager,4006,N/A,EXCH01,"Message delivery, first line',
    'second line with ""quotes""',
    'third line"',
    '10/9/2006,5:01:00 PM,SmtpEvt,Error,(3),20031,S-1-5-18,ISA01,An unknown SMTP command, with a comma',
    'a continuation line',
    '',
    '13/9/2006,5:02:00 AM,SmtpEvt,Error,None,20031,N/A,ISA01,month 13',
    '10/9/2006,5:03:00 AM,SmtpEvt,Failure Audit,Logon/Logoff,529,NT AUTHORITY\\SYSTEM,ISA01,Logon failure',
    '',
  ].join('\r\n');
  const { records, issues } = await readBytesWith(eventCsvReader, Buffer.from(text, 'utf8'), 'UTC');
  assert.deepEqual(
    records.map((r) => [isoFromNanos(r.time_created ?? 0n, 0), r.provider, r.event_id, r.level, r.task, r.user_sid, r.message, r.source_offset]),
    [
      ['2006-10-09T05:00:15Z', 'MSExchangeTransport', 4006, 3, null, null, 'Message delivery, first line\r\nsecond line with "quotes"\r\nthird line', 2],
      [
        '2006-10-09T17:01:00Z',
        'SmtpEvt',
        20031,
        2,
        3,
        'S-1-5-18',
        'An unknown SMTP command, with a comma\r\na continuation line\r\n\r\n13/9/2006,5:02:00 AM,SmtpEvt,Error,None,20031,N/A,ISA01,month 13',
        5,
      ],
      ['2006-10-09T05:03:00Z', 'SmtpEvt', 529, 0, null, null, 'Logon failure', 9],
    ],
  );
  assert.equal(records[2].keywords, CLASSIC | 0x10000000000000n);
  assert.deepEqual(issues, []);
});

test('TXT: a stray line before the first row is rejected with its line number', async () => {
  const text = 'garbage line\n10/9/2006\t5:00:15 AM\tSmtpEvt\tError\tNone\t20031\tN/A\tISA01\tAn unknown SMTP command\n';
  const { records, issues } = await readBytesWith(eventTxtReader, Buffer.from(text, 'utf8'), 'UTC');
  assert.equal(records.length, 1);
  assert.equal(records[0].source_offset, 2);
  assert.deepEqual(
    issues.map((i) => [i.line, i.offset, i.rejected]),
    [[1, 0, true]],
  );
});
