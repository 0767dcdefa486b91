import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exchange2003TrackingReader as reader } from '../../src/readers/tracking2003/reader.js';
import type { TrackingRecord } from '../../src/store/records.js';
import { isoFromNanos } from '../../src/util/timezone.js';
import { fixture, readAll } from './read-helper.js';

const iso = (ns: bigint | null) => (ns === null ? null : isoFromNanos(ns, 0));

test('2003 tracking fixture: rows, lenient GMT times, header redefinition, malformed line 8', async () => {
  const bytes = await fixture('tracking2003/20060314.log');
  assert.equal(reader.sniff(bytes), true);
  const { records, issues, timeRules } = await readAll(reader, bytes);
  const rows = records as TrackingRecord[];
  assert.deepEqual(rows.map((r) => r.line_no), [4, 5, 6, 7, 9, 10, 14, 15]);
  assert.deepEqual(timeRules, ['GMT as logged (Date + Time fields)']);
  assert.equal(issues.length, 1);
  assert.equal(issues[0].line, 8);
  assert.equal(issues[0].rejected, true);
  assert.equal(issues[0].severity, 'error');
  assert.match(issues[0].message, /line 8: Date\/Time .*nine past nine/);
  assert.equal(issues[0].offset, bytes.indexOf('2006-3-14\tnine past nine'));

  const first = rows[0];
  assert.equal(iso(first.time), '2006-03-14T09:12:44Z');
  assert.equal(first.server, 'EXCH01');
  assert.equal(first.format_version, '6.5.7638.1');
  assert.equal(first.raw_event, '1019');
  assert.equal(first.event_kind, 'submitted');
  assert.equal(first.message_id, '<EXCH01aBcDeF0000001a@exch01.contoso.local>');
  assert.equal(first.recipient, 'jane@Partner.Example');
  assert.equal(first.recipient_domain, 'partner.example');
  assert.equal(first.sender, 'bob@contoso.com');
  assert.equal(first.partner, null);
  assert.equal(first.client_ip, '10.1.1.20');
  assert.equal(first.size_bytes, 5321);
  assert.equal(first.recipient_count, 2);
  assert.equal(first.subject, 'Quarterly numbers');
  assert.equal(first.source, 'Version: 6.0.3790.1830');
  assert.equal(first.recipient_status, null);

  assert.deepEqual(
    rows.map((r) => [iso(r.time), r.raw_event, r.event_kind, r.partner]),
    [
      ['2006-03-14T09:12:44Z', '1019', 'submitted', null],
      ['2006-03-14T09:12:44Z', '1019', 'submitted', null],
      ['2006-03-14T09:12:45Z', '1034', 'queued-remote', null],
      ['2006-03-14T09:12:46Z', '1020', 'transfer-begin', 'mx.partner.example'],
      ['2006-03-14T09:22:46Z', '1020', 'transfer-begin', 'mx.partner.example'],
      ['2006-03-15T09:05:07Z', '1031', 'sent', 'mx.fabrikam.example'],
      ['2006-03-16T09:12:50Z', '1030', 'ndr', null],
      ['2006-03-16T09:12:51Z', '1019', 'submitted', null],
    ],
  );
  // After the second header block the columns are bound by the new names (no subject column).
  const ndr = rows[6];
  assert.equal(ndr.server, 'EXCH01');
  assert.equal(ndr.recipient_status, '1');
  assert.equal(ndr.recipient_count, 1);
  assert.equal(ndr.subject, null);
  assert.equal(ndr.sender, 'bob@contoso.com');
  assert.equal(rows[7].sender, 'postmaster@contoso.com');
  assert.equal(rows[7].recipient_domain, 'contoso.com');
});

test('2003 tracking: UTF-8 BOM and CRLF, report event kind from Recipient-Report-Status', async () => {
  const bytes = await fixture('tracking2003/20060317-bom-crlf.log');
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.equal(reader.sniff(bytes), true);
  const { records, issues } = await readAll(reader, bytes);
  const rows = records as TrackingRecord[];
  assert.deepEqual(issues, []);
  assert.equal(rows.length, 2);
  assert.equal(iso(rows[0].time), '2006-03-17T23:59:59Z');
  assert.equal(rows[0].subject, 'Grüße aus Köln');
  assert.equal(rows[0].sender, 'ann@contoso.com'); // no CR left on the last field
  assert.equal(iso(rows[1].time), '2006-03-18T00:00:01Z');
  assert.equal(rows[1].raw_event, '34');
  assert.equal(rows[1].event_kind, 'dsn'); // report generation with status 0 = delivery report
});

test('2003 tracking: appended tail yields exactly the new lines, with the header in force there', async () => {
  const bytes = await fixture('tracking2003/20060314.log');
  const tail = bytes.indexOf('2006-3-16\t9:12:50');
  const { records, issues } = await readAll(reader, bytes, { emitFrom: tail });
  const rows = records as TrackingRecord[];
  assert.deepEqual(issues, []); // the malformed line 8 was reported by the earlier ingest
  assert.deepEqual(rows.map((r) => r.line_no), [14, 15]);
  assert.equal(rows[0].server, 'EXCH01');
  assert.equal(rows[0].subject, null);
  // The earlier part alone, read as a file of that size, gives the other six rows.
  const before = await readAll(reader, bytes.subarray(0, tail));
  assert.equal(before.records.length, 6);
});

test('2003 tracking sniff: rejects other tab and CSV logs', () => {
  assert.equal(reader.sniff(Buffer.from('#Software: Microsoft Exchange Server\r\n#Log-type: Message Tracking Log\r\n')), false);
  assert.equal(reader.sniff(Buffer.from('#Fields: date\ttime\tc-ip\n')), false);
  assert.equal(reader.sniff(Buffer.from('# Date\tTime\tclient-ip\tPartner-Name\n')), true);
});

test('2003 tracking without a header line: documented column order, one warning; extra fields rejected', async () => {
  const row = ['2006-3-14', '9:12:44 GMT', '10.1.1.20', 'EXCH01', '-', 'EXCH01', '10.1.1.20', 'jane@partner.example', '1020', '<m@x>', '0', '-', '5321', '1', '-', '0', 'v', '-', 'Hi', 'bob@contoso.com'];
  const text = [row.join('\t'), [...row, 'extra'].join('\t'), row.join('\t') + '\t'].join('\r\n') + '\r\n';
  const { records, issues } = await readAll(reader, Buffer.from(text));
  assert.deepEqual(issues.map((i) => [i.severity, i.line, i.rejected ?? false]), [['warning', 1, false], ['error', 2, true]]);
  assert.match(issues[1].message, /^line 2: 21 TAB-separated fields, the header declares 20$/);
  assert.deepEqual((records as TrackingRecord[]).map((r) => [r.line_no, r.raw_event, r.event_kind, r.sender]), [
    [1, '1020', 'transfer-begin', 'bob@contoso.com'],
    [3, '1020', 'transfer-begin', 'bob@contoso.com'],
  ]);
});
