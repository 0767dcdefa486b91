// ISA Server / TMG logs: the real ossec samples (ISA 2000 ISA format, packet filter and web proxy
// W3C; ISA 2004 firewall and web proxy W3C) and the constructed fixtures in fixtures/text/isa-*/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isaW3cReader } from '../../src/readers/isa/w3c.js';
import { isaFormatReader } from '../../src/readers/isa/isa-format.js';
import { isaResultMeaning, resultCodeKey } from '../../src/knowledge/isa-result-codes.js';
import { normaliseIsaAction } from '../../src/knowledge/isa-actions.js';
import { nanosFromIso } from '../../src/util/timezone.js';
import { bytesOf, CORPUS, FIXTURES, runReader } from './helpers.js';

const iso = (text: string) => nanosFromIso(text);

test('real ISA 2000 firewall log, ISA format: 28 rows, local time via --tz, SMTP Accept/Connect rows', async () => {
  const r = await runReader(isaFormatReader, new URL('isa2000_firewall_isaformat_excerpt.log', CORPUS), 'America/Chicago');
  assert.deepEqual(r.issues, []);
  const rows = r.byTable('firewall_log');
  assert.equal(rows.length, 28);
  const accept = rows[0];
  assert.equal(accept.time, iso('2006-11-08T06:00:05Z'), '0:00:05 CST');
  assert.deepEqual(
    [accept.isa_host, accept.log_kind, accept.protocol, accept.action, accept.action_raw, accept.result_code, accept.rule],
    ['ACME-PROXY', 'fws', 'TCP', 'accept', 'Accept', '20000', 'Publish Internal SMTP Email Server'],
  );
  // Accept: the remote peer connected to the published server (source), port 25 on the inside.
  assert.deepEqual([accept.source_ip, accept.source_port, accept.dest_ip, accept.dest_port], ['172.16.2.2', 1169, '10.45.100.201', 25]);
  assert.deepEqual([accept.bytes_sent, accept.bytes_received], [814, 22813]);
  const connect = rows.find((row) => row.line_no === 8)!;
  assert.deepEqual(
    [connect.action, connect.source_ip, connect.dest_ip, connect.dest_port, connect.result_code, connect.rule],
    ['connect', '10.45.100.201', '172.16.2.2', 25, '20000', 'Outbound SMTP / Allow Internal Mail Servers to Connect to DMZ Servers'],
  );
  const ghbn = rows.find((row) => row.line_no === 10)!;
  assert.deepEqual([ghbn.action, ghbn.username, ghbn.dest_name, ghbn.dest_ip], ['ghbn', 'andone', 'webshots.com', '216.239.124.149']);
  assert.equal(rows.filter((row) => row.result_code === '13301').length, 3);
  assert.equal(rows.find((row) => row.result_code === '13301')!.result_meaning, null, '13301 has no known meaning');
  assert.equal(rows.at(-1)!.time, iso('2006-11-09T01:02:16Z'));
});

test('real ISA 2000 packet-filter W3C log: 32 rows, ports from param#1/#2 for UDP, BLOCKED → denied', async () => {
  const r = await runReader(isaW3cReader, new URL('isa2000_ippacketfilter_w3c_excerpt.log', CORPUS));
  assert.deepEqual(r.issues, []);
  const rows = r.byTable('firewall_log');
  assert.equal(rows.length, 32);
  const first = rows[0];
  assert.equal(first.time, iso('2006-11-16T00:04:45Z'));
  assert.deepEqual(
    [first.log_kind, first.protocol, first.source_ip, first.source_port, first.dest_ip, first.dest_port, first.action, first.action_raw, first.detail],
    ['packet-filter', 'UDP', '10.45.1.1', 1675, '10.45.2.4', 137, 'denied', 'BLOCKED', 'interface 10.45.1.1'],
  );
});

test('real ISA 2000 web proxy W3C log: 86 rows; line 48 has a damaged date in the sample and is rejected', async () => {
  const r = await runReader(isaW3cReader, new URL('isa2000_webproxy_w3c_excerpt.log', CORPUS));
  assert.deepEqual(r.issues.map((i) => [i.line, i.rejected, i.message]), [[48, true, 'field date/time: not a W3C date and time: "20081.6-11-16 00:00:14"']]);
  const rows = r.byTable('firewall_log');
  assert.equal(rows.length, 86);
  const first = rows[0];
  assert.deepEqual(
    [first.log_kind, first.source_ip, first.username, first.dest_name, first.dest_port, first.result_code, first.result_meaning, first.bytes_sent, first.bytes_received],
    ['web-proxy', '10.54.80.151', 'anonymous', 'web.freemail.com', 80, '407', 'HTTP status', 992, 3292],
  );
  assert.ok(first.detail!.startsWith('POST http://web.freemail.com/mail/channel/bind?'));
  const third = rows[2];
  assert.equal(third.rule, 'Internet Access / Grant Access to all destinations');
});

test('real ISA 2004 firewall W3C log: 33 rows, `ip:port` endpoints, Denied 0xc004000d with its meaning', async () => {
  const r = await runReader(isaW3cReader, new URL('isa2004_firewall_w3c_excerpt.w3c', CORPUS));
  assert.deepEqual(r.issues, []);
  const rows = r.byTable('firewall_log');
  assert.equal(rows.length, 33);
  const first = rows[0];
  assert.equal(first.time, iso('2006-10-27T00:00:00Z'));
  assert.deepEqual(
    [first.isa_host, first.log_kind, first.protocol, first.source_ip, first.source_port, first.dest_ip, first.dest_port, first.action, first.result_code, first.application_protocol],
    ['ACME-PROXY', 'firewall', 'UDP', '192.168.100.115', 61683, '255.255.255.255', 14000, 'denied', '0xc004000d', 'Unidentified IP Traffic'],
  );
  assert.equal(first.result_meaning, 'FWX_E_POLICY_RULES_DENIED: the policy rules do not allow the user request');
  const igmp = rows[1];
  assert.deepEqual([igmp.protocol, igmp.source_ip, igmp.source_port, igmp.dest_ip], ['IGMP', '192.168.80.148', null, '224.0.0.1']);
  assert.equal(rows.filter((row) => row.action === 'intermediate').length, 2);
});

test('real ISA 2004 web proxy W3C log: 38 rows with the action column', async () => {
  const r = await runReader(isaW3cReader, new URL('isa2004_webproxy_w3c_excerpt.w3c', CORPUS));
  assert.deepEqual(r.issues, []);
  const rows = r.byTable('firewall_log');
  assert.equal(rows.length, 38);
  assert.deepEqual(
    [rows[0].log_kind, rows[0].action, rows[0].rule, rows[0].username, rows[0].dest_ip, rows[0].result_code],
    ['web-proxy', 'allowed', 'Allow Web Access', 'ACME\\sstorm', '57.145.187.93', '200'],
  );
});

test('fixture ISA 2006 W3C (BOM + CRLF): SMTP rows, malformed line 8, #Fields redefined mid-file', async () => {
  const r = await runReader(isaW3cReader, new URL('isa-w3c/ISALOG_20060314_FWS_000.w3c', FIXTURES));
  assert.deepEqual(r.issues, [{ severity: 'error', line: 8, offset: 1031, message: 'expected 28 TAB-separated fields (#Fields on line 4), found 5', rejected: true }]);
  const rows = r.byTable('firewall_log');
  assert.deepEqual(rows.map((row) => row.line_no), [5, 6, 7, 9, 10, 15, 16]);
  assert.deepEqual(
    rows.map((row) => [row.action, row.result_code]),
    [['establish', '0x0'], ['terminate', '0x80074e21'], ['establish', '0x0'], ['terminate', '0x80074e24'], ['denied', '0xc004000d'], ['failed', '10060'], ['terminate', '0x80074e20']],
  );
  assert.match(rows[3].result_meaning!, /^FWX_E_CONNECTION_KILLED/);
  assert.deepEqual([rows[3].source_ip, rows[3].dest_ip, rows[3].dest_port, rows[3].bytes_sent, rows[3].bytes_received], ['203.0.113.9', '192.168.10.5', 25, 1820, 640]);
  const redefined = rows[5];
  assert.equal(redefined.time, iso('2006-03-14T10:00:01Z'));
  assert.deepEqual(
    [redefined.action_raw, redefined.result_meaning, redefined.rule, redefined.application_protocol, redefined.source_port],
    ['Failed Connection Attempt', 'Winsock: connection timed out', 'Allow SMTP from Exchange', null, 1050],
  );
});

test('the same ISA log saved as UTF-16LE with a BOM (Log Viewer "Unicode" export) reads the same', async () => {
  const utf8 = bytesOf(new URL('isa-w3c/ISALOG_20060314_FWS_000.w3c', FIXTURES));
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(utf8.subarray(3).toString('utf8'), 'utf16le')]);
  assert.equal(isaW3cReader.sniff(utf16), true);
  const a = await runReader(isaW3cReader, { name: 'utf8', bytes: utf8 });
  const b = await runReader(isaW3cReader, { name: 'utf16', bytes: utf16 });
  assert.deepEqual(b.records, a.records);
  assert.deepEqual(b.issues.map((i) => i.line), [8]);
});

test('fixture SMTP Message Screener log: sender, recipient, action and reason', async () => {
  const r = await runReader(isaW3cReader, new URL('isa-w3c/ISALOG_20060314_SMTP_000.w3c', FIXTURES));
  assert.deepEqual(r.issues, []);
  const rows = r.byTable('firewall_log');
  assert.equal(rows.length, 2);
  assert.deepEqual(
    [rows[1].log_kind, rows[1].time, rows[1].smtp_sender, rows[1].smtp_recipient, rows[1].action, rows[1].detail],
    ['smtp-screener', iso('2006-03-14T10:05:00Z'), 'offers@bulk.example', 'carol@contoso.com', 'screener-delete', 'subject: You have won; message-id: <x1@bulk.example>; reason: Keyword rule Spam matched'],
  );
});

test('fixture ISA format across the fall-back hour with --tz; malformed line 3 rejected', async () => {
  const r = await runReader(isaFormatReader, new URL('isa-format/fws-isaformat-20061029.log', FIXTURES), 'America/Chicago');
  assert.deepEqual(r.issues.map((i) => [i.line, i.rejected]), [[3, true]]);
  assert.deepEqual(
    r.byTable('firewall_log').map((row) => row.time),
    [iso('2006-10-29T05:59:59Z'), iso('2006-10-29T06:30:00Z'), iso('2006-10-29T08:30:00Z')],
  );
  const fixed = await runReader(isaFormatReader, new URL('isa-format/fws-isaformat-20061029.log', FIXTURES), '-06:00');
  assert.equal(fixed.byTable('firewall_log')[0].time, iso('2006-10-29T06:59:59Z'));
});

test('emitFrom: an ISA log re-read after growth yields only the appended rows', async () => {
  const full = bytesOf(new URL('isa2004_firewall_w3c_excerpt.w3c', CORPUS));
  let cut = 0;
  for (let line = 0; line < 20; line++) cut = full.indexOf(0x0a, cut) + 1;
  const tail = await runReader(isaW3cReader, { name: 'grown', bytes: full, emitFrom: cut });
  const rows = tail.byTable('firewall_log');
  assert.equal(rows.length, 17);
  assert.equal(rows[0].line_no, 21);
  assert.equal(rows[0].isa_host, 'ACME-PROXY', 'the columns were bound from the #Fields before emitFrom');
});

test('emitFrom: the ISA-format reader yields only rows at or after the offset', async () => {
  const full = bytesOf(new URL('isa2000_firewall_isaformat_excerpt.log', CORPUS));
  let cut = 0;
  for (let line = 0; line < 25; line++) cut = full.indexOf(0x0a, cut) + 1;
  const tail = await runReader(isaFormatReader, { name: 'grown', bytes: full, emitFrom: cut }, 'America/Chicago');
  assert.deepEqual(tail.byTable('firewall_log').map((row) => row.line_no), [26, 27, 28]);
});

test('knowledge tables: action names and result codes normalise case and leading zeros', () => {
  assert.equal(normaliseIsaAction('Closed Connection'), 'terminate');
  assert.equal(normaliseIsaAction('DENIED'), 'denied');
  assert.equal(normaliseIsaAction('Something new'), null);
  assert.equal(resultCodeKey('0xC004000D'), '0xc004000d');
  assert.equal(resultCodeKey('0x00000000'), '0x0');
  assert.equal(isaResultMeaning('0x80074E24')?.startsWith('FWX_E_CONNECTION_KILLED'), true);
  assert.equal(isaResultMeaning('10061'), 'Winsock: connection refused');
  assert.equal(isaResultMeaning('10050'), 'Winsock error');
  assert.equal(isaResultMeaning('0x12345678'), null);
});
