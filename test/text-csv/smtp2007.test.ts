import { test } from 'node:test';
import assert from 'node:assert/strict';
import { smtp2007Reader as reader, endpointIp } from '../../src/readers/smtp2007/reader.js';
import type { SmtpLineRecord, SmtpSessionRecord, StoredRecord } from '../../src/store/records.js';
import { isoFromNanos } from '../../src/util/timezone.js';
import { fixture, readAll } from './read-helper.js';

const iso = (ns: bigint | null) => (ns === null ? null : isoFromNanos(ns, 3));
const linesOf = (records: StoredRecord[]) => records.filter((r): r is SmtpLineRecord => r.table === 'smtp_lines');
const sessionsOf = (records: StoredRecord[]) => records.filter((r): r is SmtpSessionRecord => r.table === 'smtp_sessions');

test('SEND log: BOM + CRLF, every reply line a row, #Fields redefinition, malformed line 32', async () => {
  const bytes = await fixture('smtp2007/SEND20090601-1.LOG');
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.equal(reader.sniff(bytes), true);
  const { records, issues, timeRules } = await readAll(reader, bytes);
  assert.deepEqual(timeRules, ['UTC as logged (ISO 8601 date-time with Z)']);
  assert.deepEqual(issues.map((i) => [i.line, i.severity, i.rejected]), [[32, 'error', true]]);
  assert.match(issues[0].message, /^line 32: event is not one of/);
  const lines = linesOf(records);
  // 62 data lines (6–26, 27–47, 53–67) minus the malformed one.
  assert.equal(lines.length, 21 + 21 + 15 - 1);
  assert.deepEqual(lines.slice(0, 3).map((l) => [l.line_no, iso(l.time), l.event, l.verb, l.argument, l.reply_code, l.reply_text]), [
    [6, '2009-06-01T08:00:01.007Z', '+', null, null, null, null],
    [7, '2009-06-01T08:00:02.014Z', '<', null, null, 220, '220 mx.partner.example Microsoft ESMTP MAIL Service ready'],
    [8, '2009-06-01T08:00:03.021Z', '>', 'EHLO', 'hub01.contoso.com', null, null],
  ]);
  const advertised = lines.filter((l) => l.reply_text === '250-XEXCH50');
  assert.deepEqual(advertised.map((l) => [l.session_key, l.line_no, l.reply_code, l.sequence]), [
    ['08CB7A1F000000A1', 12, 250, 6],
    ['08CB7A1F000000B2', 34, 250, 6],
    ['08CB7A1F000000C3', 59, 250, 6],
  ]);
  const xexch50 = lines.filter((l) => l.verb === 'XEXCH50');
  assert.deepEqual(xexch50.map((l) => [l.session_key, l.argument, l.direction]), [
    ['08CB7A1F000000A1', '1020 2', 'outbound'],
    ['08CB7A1F000000B2', '1028 2', 'outbound'],
    ['08CB7A1F000000C3', '1124 2', 'outbound'],
  ]);
  const mail = lines.find((l) => l.line_no === 14);
  assert.equal(mail?.verb, 'MAIL');
  assert.equal(mail?.argument, 'FROM:<bob@contoso.com> SIZE=5321');
  assert.equal(mail?.local_endpoint, '10.1.1.30:24000');
  assert.equal(mail?.remote_endpoint, '203.0.113.25:25');
  assert.equal(mail?.remote_ip, '203.0.113.25');
  // Quoted data with a comma-free quoted value and a `-` disconnect with its context.
  assert.equal(lines.find((l) => l.line_no === 23)?.reply_text, '250 2.6.0 <b2@contoso.com> Queued mail for delivery');
  assert.deepEqual(
    lines.filter((l) => l.event === '-').map((l) => [l.line_no, l.argument]),
    [[26, 'Local'], [47, 'Local'], [67, 'Remote']],
  );
  // After the re-ordered #Fields block, session-id and connector-id are still read by name.
  const afterRestart = lines.filter((l) => (l.line_no ?? 0) >= 53);
  assert.equal(afterRestart.length, 15);
  assert.ok(afterRestart.every((l) => l.session_key === '08CB7A1F000000C3' && l.remote_ip === '198.51.100.7'));
});

test('SEND log: XEXCH50 sessions end accepted, refused with 504, dropped after 354', async () => {
  const { records } = await readAll(reader, await fixture('smtp2007/SEND20090601-1.LOG'));
  const sessions = sessionsOf(records);
  assert.deepEqual(
    sessions.map((s) => [s.session_key, s.direction, s.remote_ip, s.remote_host, s.xexch50_advertised, s.xexch50_sent, s.xexch50_bytes, s.xexch50_reply_code, s.xexch50_outcome, s.end_reason, s.recipient_domains]),
    [
      ['08CB7A1F000000A1', 'outbound', '203.0.113.25', 'mx.partner.example', true, true, 1020, 250, 'accepted', 'completed', 'partner.example'],
      ['08CB7A1F000000B2', 'outbound', '192.0.2.50', 'mail.fabrikam.example', true, true, 1028, 504, 'refused-504', 'completed', 'fabrikam.example'],
      ['08CB7A1F000000C3', 'outbound', '198.51.100.7', 'mx.northwind.example', true, true, 1124, 354, 'dropped-after-354', 'dropped-after-xexch50', 'northwind.example'],
    ],
  );
  assert.equal(iso(sessions[2].start_time), '2009-06-01T08:00:42.294Z');
  assert.equal(iso(sessions[2].end_time), '2009-06-01T08:00:56.392Z');
  assert.equal(sessions[1].line_count, 20); // 21 lines, the malformed one not counted
  // Each session is emitted right after its disconnect line.
  const order = records.map((r) => (r.table === 'smtp_sessions' ? `s:${r.session_key}` : r.table === 'smtp_lines' ? `l:${r.line_no}` : r.table));
  assert.equal(order[order.indexOf('l:26') + 1], 's:08CB7A1F000000A1');
  assert.equal(order[order.length - 1], 's:08CB7A1F000000C3');
});

test('RECV log: inbound rows, commands on <, replies on >, * row text, IPv6 endpoint, 504 to XEXCH50', async () => {
  const bytes = await fixture('smtp2007/RECV20090601-1.LOG');
  assert.equal(reader.sniff(bytes), true);
  const { records, issues } = await readAll(reader, bytes);
  assert.deepEqual(issues, []);
  const lines = linesOf(records);
  assert.equal(lines.length, 16);
  assert.ok(lines.every((l) => l.direction === 'inbound' && l.server === 'HUB01' && l.remote_ip === '2001:db8::77'));
  assert.deepEqual(lines.slice(2, 5).map((l) => [l.event, l.verb, l.argument, l.reply_code, l.reply_text]), [
    ['*', null, 'Set Session Permissions: SMTPSubmit SMTPAcceptAnySender SMTPAcceptAuthoritativeDomainSender', null, null],
    ['<', 'EHLO', 'exch01.partner.example', null, null],
    ['>', null, null, 250, '250-hub01.contoso.com Hello [192.0.2.77]'],
  ]);
  const [session] = sessionsOf(records);
  assert.equal(session.remote_host, 'exch01.partner.example');
  assert.equal(session.xexch50_outcome, 'refused-504');
  assert.equal(session.end_reason, 'quit');
  assert.equal(session.recipient_domains, 'contoso.com');
});

test('SEND log appended tail: exactly the new lines; a session is emitted only if it starts in the tail', async () => {
  const bytes = await fixture('smtp2007/SEND20090601-1.LOG');
  const sessionC = bytes.indexOf('2009-06-01T08:00:42.294Z');
  const fromC = await readAll(reader, bytes, { emitFrom: sessionC });
  assert.deepEqual(fromC.issues, []);
  assert.deepEqual(linesOf(fromC.records).map((l) => l.line_no), Array.from({ length: 15 }, (_, i) => 53 + i));
  assert.deepEqual(sessionsOf(fromC.records).map((s) => [s.session_key, s.xexch50_outcome]), [['08CB7A1F000000C3', 'dropped-after-354']]);

  const midC = bytes.indexOf('2009-06-01T08:00:50.350Z'); // line 61, inside session C
  const fromMid = await readAll(reader, bytes, { emitFrom: midC });
  assert.deepEqual(linesOf(fromMid.records).map((l) => l.line_no), Array.from({ length: 7 }, (_, i) => 61 + i));
  assert.deepEqual(sessionsOf(fromMid.records), []);
});

test('endpointIp: IPv4 with port, bracketed IPv6, bare values', () => {
  assert.equal(endpointIp('10.1.1.30:25'), '10.1.1.30');
  assert.equal(endpointIp('[2001:db8::77]:41000'), '2001:db8::77');
  assert.equal(endpointIp('2001:db8::77'), '2001:db8::77');
  assert.equal(endpointIp('10.1.1.30'), '10.1.1.30');
  assert.equal(endpointIp(null), null);
});

test('SEND/RECV sniff: only Exchange protocol logs', () => {
  assert.equal(reader.sniff(Buffer.from('#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: SMTP Receive Protocol Log\r\n')), true);
  assert.equal(reader.sniff(Buffer.from('#Software: Microsoft Exchange Server\r\n#Log-type: Message Tracking Log\r\n')), false);
  assert.equal(reader.sniff(Buffer.from('#Software: Microsoft Internet Information Services 6.0\r\n#Version: 1.0\r\n#Fields: date time c-ip\r\n')), false);
});
