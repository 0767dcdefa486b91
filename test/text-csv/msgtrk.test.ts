import { test } from 'node:test';
import assert from 'node:assert/strict';
import { msgtrkReader as reader } from '../../src/readers/msgtrk/reader.js';
import { statusesFor, splitRecipients } from '../../src/readers/msgtrk/recipients.js';
import type { TrackingRecord } from '../../src/store/records.js';
import { isoFromNanos } from '../../src/util/timezone.js';
import { corpus, fixture, readAll } from './read-helper.js';

const iso = (ns: bigint | null) => (ns === null ? null : isoFromNanos(ns, 3));

test('real Exchange 2010 MSGTRK sample (elastic/beats bom8.log): 2 rows, exact values', async () => {
  const bytes = await corpus('exchange/elastic-beats/exchange2010_msgtrk_bom8.log');
  assert.equal(reader.sniff(bytes), true);
  const { records, issues, timeRules } = await readAll(reader, bytes);
  const rows = records as TrackingRecord[];
  assert.deepEqual(issues, []);
  assert.deepEqual(timeRules, ['UTC as logged (ISO 8601 date-time with Z)']);
  assert.equal(rows.length, 2);
  assert.deepEqual(rows.map((r) => [r.line_no, iso(r.time), r.raw_event, r.event_kind, r.source, r.format_version]), [
    [6, '2016-04-05T00:00:02.052Z', 'NOTIFYMAPI', 'other', 'STOREDRIVER', '14.0.0.0'],
    [7, '2016-04-05T00:00:02.145Z', 'NOTIFYMAPI', 'other', 'STOREDRIVER', '14.0.0.0'],
  ]);
  assert.equal(
    rows[0].source_context,
    'MDB:61914740-3f1b-4ddb-94e0-557196870cfa, Mailbox:279f077c-216f-4323-a9ee-48e50ffd3cad, Event:269492708, MessageClass:IPM.Note.StorageQuotaWarning.Warning, CreationTime:2016-04-05T00:00:01.022Z, ClientType:System',
  );
  assert.equal(rows[1].source_context?.split(', ')[1], 'Mailbox:49cb09c6-5b76-415d-a085-da0ad9079682');
  assert.equal(rows[0].recipient, null);
  assert.equal(rows[0].message_id, null);
  assert.equal(rows[0].server, null);
});

test('MSGTRK fixture: BOM + CRLF, quoting, #Fields redefinition, malformed line 8, one row per recipient', async () => {
  const bytes = await fixture('msgtrk/MSGTRK20090601-1.LOG');
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.equal(reader.sniff(bytes), true);
  const { records, issues } = await readAll(reader, bytes);
  const rows = records as TrackingRecord[];
  assert.equal(issues.length, 1);
  assert.equal(issues[0].line, 8);
  assert.equal(issues[0].rejected, true);
  assert.match(issues[0].message, /^line 8: stray quote/);
  assert.deepEqual(
    rows.map((r) => [r.line_no, r.raw_event, r.event_kind, r.recipient, r.recipient_domain, r.recipient_status, r.dsn_code]),
    [
      [6, 'RECEIVE', 'received', 'alice@contoso.com', 'contoso.com', null, null],
      [6, 'RECEIVE', 'received', 'Bob@Contoso.com', 'contoso.com', null, null],
      [7, 'SEND', 'sent', 'joe@fabrikam.example', 'fabrikam.example', '250 2.1.5 Recipient OK', '2.1.5'],
      [7, 'SEND', 'sent', 'ann@fabrikam.example', 'fabrikam.example', '250 2.1.5 Recipient OK', '2.1.5'],
      [9, 'DEFER', 'defer', 'jane@partner.example', 'partner.example', '451 4.4.0 DNS query failed', '4.4.0'],
      [16, 'FAIL', 'failed', 'jane@partner.example', 'partner.example', '550 4.4.7 QUEUE.Expired;message expired', '4.4.7'],
      [18, 'DSN', 'dsn', 'bob@contoso.com', 'contoso.com', null, null],
    ],
  );
  const [receive, , send, , defer, fail, dsn] = rows;
  assert.equal(iso(receive.time), '2009-06-01T08:15:30.125Z');
  assert.equal(receive.subject, 'Re: "Budget", Q3');
  assert.equal(receive.server, 'HUB01');
  assert.equal(receive.partner, 'mail.sender.example');
  assert.equal(receive.client_ip, '192.0.2.10');
  assert.equal(receive.connector, 'HUB01\\Default HUB01');
  assert.equal(receive.source_context, '08CB7A1F00000001');
  assert.equal(receive.internal_id, '41');
  assert.equal(receive.message_id, '<a1@sender.example>');
  assert.equal(receive.recipient_count, 2);
  assert.equal(receive.size_bytes, 4210);
  assert.equal(receive.format_version, '8.1.240.5');
  assert.equal(send.server, 'HUB01');
  assert.equal(send.partner, 'mx.fabrikam.example');
  assert.equal(send.server_ip, '203.0.113.25');
  assert.equal(defer.subject, 'Line one\nline two');
  assert.equal(defer.sender, 'bob@contoso.com');
  // After the second directive block: the 2013 layout (network-message-id shifts every later column).
  assert.equal(fail.format_version, '15.01.2375.007');
  assert.equal(iso(fail.time), '2009-06-03T08:20:00.000Z');
  assert.equal(fail.subject, 'Line one\nline two');
  assert.equal(fail.sender, 'bob@contoso.com');
  assert.equal(fail.size_bytes, 5321);
  assert.equal(fail.source, 'ROUTING');
  assert.equal(dsn.subject, 'Undeliverable: Line one');
});

test('MSGTRK: appended tail after a new directive block yields exactly its rows', async () => {
  const bytes = await fixture('msgtrk/MSGTRK20090601-1.LOG');
  const tail = bytes.indexOf('2009-06-03T08:20:00.000Z');
  const { records, issues } = await readAll(reader, bytes, { emitFrom: tail });
  const rows = records as TrackingRecord[];
  assert.deepEqual(issues, []);
  assert.deepEqual(rows.map((r) => [r.line_no, r.raw_event, r.format_version, r.sender]), [
    [16, 'FAIL', '15.01.2375.007', 'bob@contoso.com'],
    [18, 'DSN', '15.01.2375.007', 'MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.com'],
  ]);
});

test('recipient-status lists: split where a new status starts, never inside one', () => {
  assert.deepEqual(splitRecipients('a@x.example; b@y.example;'), ['a@x.example', 'b@y.example']);
  assert.deepEqual(statusesFor(2, '550 4.4.7 QUEUE.Expired;gave up;250 2.1.5 OK'), ['550 4.4.7 QUEUE.Expired;gave up', '250 2.1.5 OK']);
  assert.deepEqual(statusesFor(2, 'To;Cc'), ['To', 'Cc']);
  assert.deepEqual(statusesFor(3, 'To;Cc'), ['To;Cc', 'To;Cc', 'To;Cc']);
  assert.deepEqual(statusesFor(1, '550 4.4.7 QUEUE.Expired;x'), ['550 4.4.7 QUEUE.Expired;x']);
});

test('MSGTRK sniff: only Exchange message-tracking logs', () => {
  assert.equal(reader.sniff(Buffer.from('#Software: Microsoft Exchange Server\r\n#Version: 15.0\r\n#Log-type: SMTP Send Protocol Log\r\n')), false);
  assert.equal(reader.sniff(Buffer.from('#Software: Microsoft Internet Information Services 5.0\n#Log-type: Message Tracking Log\n')), false);
});
