// IIS SMTPSVC protocol logs (W3C extended, NCSA, IIS format): the real samples of the corpus and the
// constructed fixtures in fixtures/text/iis-smtp-*/ (see their READMEs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { detectReader, SNIFF_BYTES } from '../../src/readers/registry.js';
import { iisSmtpW3cReader } from '../../src/readers/iis-smtp/w3c.js';
import { iisSmtpNcsaReader } from '../../src/readers/iis-smtp/ncsa.js';
import { iisSmtpIisFormatReader } from '../../src/readers/iis-smtp/iis-format.js';
import { nanosFromIso } from '../../src/util/timezone.js';
import type { SmtpSessionRecord } from '../../src/store/records.js';
import { bytesOf, CORPUS, FIXTURES, runReader } from './helpers.js';

const iso = (text: string) => nanosFromIso(text);
const byKey = (sessions: SmtpSessionRecord[]) => new Map(sessions.map((s) => [s.session_key, s]));

test('content sniffing: every corpus file and fixture goes to the reader of its own format', () => {
  const expected: Record<string, string> = {
    'exchange2000_smtpsvc_w3c_ex061009.log': 'iis-smtp-w3c',
    'exchange2000_smtpsvc_ncsa_nc061011.log': 'iis-smtp-ncsa',
    'isa2000_firewall_isaformat_excerpt.log': 'isa-format',
    'isa2000_ippacketfilter_w3c_excerpt.log': 'isa-w3c',
    'isa2000_webproxy_w3c_excerpt.log': 'isa-w3c',
    'isa2004_firewall_w3c_excerpt.w3c': 'isa-w3c',
    'isa2004_webproxy_w3c_excerpt.w3c': 'isa-w3c',
  };
  assert.deepEqual(readdirSync(CORPUS).sort(), Object.keys(expected).sort());
  for (const [file, format] of Object.entries(expected)) {
    assert.equal(detectReader(bytesOf(new URL(file, CORPUS)).subarray(0, SNIFF_BYTES))?.name, format, file);
  }
  const fixtures: Record<string, string> = {
    'iis-smtp-w3c/ex060314.log': 'iis-smtp-w3c',
    'iis-smtp-w3c/ex060315.log': 'iis-smtp-w3c',
    'iis-smtp-w3c/ex100109-no-time.log': 'iis-smtp-w3c',
    'iis-smtp-iis/in060402.log': 'iis-smtp-iis',
    'isa-w3c/ISALOG_20060314_FWS_000.w3c': 'isa-w3c',
    'isa-w3c/ISALOG_20060314_SMTP_000.w3c': 'isa-w3c',
    'isa-format/fws-isaformat-20061029.log': 'isa-format',
  };
  for (const [file, format] of Object.entries(fixtures)) {
    assert.equal(detectReader(bytesOf(new URL(file, FIXTURES)).subarray(0, SNIFF_BYTES))?.name, format, file);
  }
  // An IIS web (HTTP) W3C log is not an SMTP log.
  const http = Buffer.from('#Software: Microsoft Internet Information Services 6.0\r\n#Fields: date time c-ip cs-method cs-uri-stem sc-status cs-version\r\n2006-01-01 00:00:00 192.0.2.1 GET /index.htm 200 HTTP/1.1\r\n');
  assert.equal(iisSmtpW3cReader.sniff(http), false);
});

test('real Exchange 2000 W3C log (inbound, all fields): 37 lines, 10 sessions, exact values', async () => {
  const r = await runReader(iisSmtpW3cReader, new URL('exchange2000_smtpsvc_w3c_ex061009.log', CORPUS));
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.timeRules, ['W3C date/time: UTC as logged']);
  const lines = r.byTable('smtp_lines');
  assert.equal(lines.length, 37);
  const first = lines[0];
  assert.equal(first.time, iso('2006-10-09T05:00:15Z'));
  assert.equal(first.server, 'MEE-PDC');
  assert.equal(first.direction, 'inbound');
  assert.equal(first.remote_ip, '24.118.118.106');
  assert.equal(first.remote_host, '36A42160');
  assert.equal(first.local_endpoint, '192.168.1.2');
  assert.equal(first.verb, 'HELO');
  assert.equal(first.argument, '36A42160');
  assert.equal(first.reply_code, 250);
  assert.equal(first.bytes, 61);
  assert.equal(first.line_no, 5);
  const mail = lines[1];
  assert.equal(mail.argument, 'FROM: <EldonpyzWestoncusk@sbcglobal.net>');
  const masked = lines.find((l) => l.line_no === 20)!;
  assert.equal(masked.event, 'xxxx');
  assert.equal(masked.verb, 'XXXX');
  assert.equal(masked.argument, 'rr.com');
  assert.equal(masked.reply_code, 500);
  assert.equal(lines.at(-1)!.time, iso('2006-10-09T05:03:13Z'));

  const sessions = r.byTable('smtp_sessions');
  assert.equal(sessions.length, 10);
  assert.equal(sessions.filter((s) => s.masked_verbs).length, 5);
  const reasons = sessions.map((s) => s.end_reason).sort();
  assert.deepEqual(reasons, ['completed', 'completed', 'completed', 'completed', 'completed', 'open', 'quit', 'quit', 'quit', 'quit']);
  // §4.8: xxxx/500 then HELO from the same client in the same second.
  const sveta = sessions.find((s) => s.remote_ip === '80.64.22.8')!;
  assert.equal(sveta.ehlo_refused, true);
  assert.equal(sveta.greeting, 'HELO');
  assert.equal(sveta.remote_host, 'sveta');
  assert.equal(sveta.mail_from, 'malaquias@fu-berlin.de');
  assert.deepEqual(sveta.recipients, [{ recipient: 'heyrmanmheyrman@meelift.com', domain: 'meelift.com', reply_code: 250, reply_text: null }]);
  assert.equal(sveta.messages_accepted, 1);
  assert.equal(sveta.start_time, iso('2006-10-09T05:01:33Z'));
  assert.equal(sveta.end_time, iso('2006-10-09T05:01:37Z'));
  assert.equal(sveta.line_count, 6);
  const ehlo = sessions.find((s) => s.remote_ip === '192.168.1.22')!;
  assert.equal(ehlo.greeting, 'EHLO');
  assert.equal(ehlo.xexch50_advertised, null, 'inbound rows log no reply text, so the EHLO list is not visible');
});

test('real Exchange 2000 NCSA log: local time with offset, outbound and interleaved inbound sessions', async () => {
  const r = await runReader(iisSmtpNcsaReader, new URL('exchange2000_smtpsvc_ncsa_nc061011.log', CORPUS));
  assert.deepEqual(r.issues, []);
  const lines = r.byTable('smtp_lines');
  assert.equal(lines.length, 40);
  assert.equal(lines[0].time, iso('2006-10-11T19:16:39Z'));
  assert.equal(lines[0].direction, 'outbound');
  assert.equal(lines[0].event, 'OutboundConnectionResponse');
  assert.equal(lines[0].reply_code, 220);
  assert.equal(lines[0].reply_text, '220-rly-yi06.mx.aol.com ESMTP mail_relay_in-yi6.1; Wed, 11 Oct 2006 14:16:38 -0400');
  assert.equal(lines[1].verb, 'EHLO');
  assert.equal(lines[1].argument, 'mee-pdc.meelift.com');
  const goAhead = lines.find((l) => l.reply_code === 354)!;
  assert.equal(goAhead.reply_text, '354 START MAIL INPUT, END WITH "." ON A LINE BY ITSELF');
  assert.equal(goAhead.line_no, 34);

  const sessions = byKey(r.byTable('smtp_sessions'));
  assert.equal(sessions.size, 6);
  const aol = sessions.get('out/205.188.158.121/1')!;
  assert.equal(aol.remote_host, 'rly-yi06.mx.aol.com');
  assert.equal(aol.banner_code, 220);
  assert.equal(aol.greeting, 'EHLO');
  assert.equal(aol.xexch50_advertised, null, 'IIS logs only the first EHLO reply line');
  assert.equal(aol.xexch50_sent, false);
  assert.equal(aol.mail_from, 'pbourque@meelift.com');
  assert.deepEqual(aol.recipients, [{ recipient: 'kbee923@aol.com', domain: 'aol.com', reply_code: 250, reply_text: '250 OK' }]);
  assert.equal(aol.messages_accepted, 1);
  assert.equal(aol.end_reason, 'completed');
  assert.equal(aol.line_count, 12);
  assert.equal(aol.end_time, iso('2006-10-11T19:17:04Z'));
  const busy = sessions.get('in/61.47.65.115/2')!;
  assert.equal(busy.recipients.length, 6);
  assert.equal(busy.line_count, 10);
  assert.equal(busy.end_reason, 'completed');
  const cut = sessions.get('in/217.169.41.109/6')!;
  assert.equal(cut.end_reason, 'open', 'the excerpt ends inside this session');
});

test('fixture ex060314 (BOM + CRLF): XEXCH50 accepted, refused-504, dropped after 354 twice; malformed line 26', async () => {
  const r = await runReader(iisSmtpW3cReader, new URL('iis-smtp-w3c/ex060314.log', FIXTURES));
  assert.deepEqual(r.issues, [{ severity: 'error', line: 26, offset: 3256, message: 'expected 21 fields (#Fields on line 4), found 6', rejected: true }]);
  const lines = r.byTable('smtp_lines');
  assert.equal(lines.length, 49);
  assert.equal(lines[0].line_no, 5);
  assert.equal(lines[0].reply_text, '220 mx1.partner.example Microsoft ESMTP MAIL Service, Version: 6.0.3790.3959 ready');
  const xexch = lines.find((l) => l.verb === 'XEXCH50')!;
  assert.equal(xexch.argument, '1020 2');
  assert.equal(xexch.remote_endpoint, '198.51.100.10:25');
  assert.equal(lines.filter((l) => l.line_no! > 26).length, 28, 'the rest of the file after the bad line is loaded');

  const sessions = byKey(r.byTable('smtp_sessions'));
  assert.deepEqual([...sessions.keys()].sort(), ['in/192.0.2.99/5', 'out/198.51.100.10/1', 'out/203.0.113.25/3', 'out/203.0.113.25/4', 'out/203.0.113.7/2']);
  const accepted = sessions.get('out/198.51.100.10/1')!;
  assert.deepEqual(
    [accepted.xexch50_outcome, accepted.xexch50_bytes, accepted.xexch50_reply_code, accepted.end_reason, accepted.messages_accepted, accepted.line_count],
    ['accepted', 1020, 250, 'completed', 1, 15],
  );
  const refused = sessions.get('out/203.0.113.7/2')!;
  assert.deepEqual(
    [refused.xexch50_outcome, refused.xexch50_bytes, refused.xexch50_reply_text, refused.end_reason, refused.messages_accepted],
    ['refused-504', 1028, '504 Need to authenticate first', 'completed', 1],
  );
  for (const key of ['out/203.0.113.25/3', 'out/203.0.113.25/4']) {
    const dropped = sessions.get(key)!;
    assert.equal(dropped.xexch50_outcome, 'dropped-after-354', key);
    assert.equal(dropped.xexch50_reply_code, 354, key);
    assert.equal(dropped.end_reason, 'dropped-after-xexch50', key);
    assert.equal(dropped.recipient_domains, 'fabrikam.example', key);
    assert.equal(dropped.remote_host, 'mail.fabrikam.example', key);
    assert.equal(dropped.messages_accepted, 0, key);
  }
  assert.equal(sessions.get('out/203.0.113.25/4')!.start_time, iso('2006-03-14T09:25:02Z'));
});

test('fixture ex060314 as UTF-16LE, and with Windows-1252 and UTF-8 text in replies: the same rows, each value decoded', async () => {
  const utf8 = bytesOf(new URL('iis-smtp-w3c/ex060314.log', FIXTURES));
  const base = await runReader(iisSmtpW3cReader, { name: 'utf8', bytes: utf8 });
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(utf8.subarray(3).toString('utf8'), 'utf16le')]);
  const wide = await runReader(iisSmtpW3cReader, { name: 'utf16', bytes: utf16 });
  assert.deepEqual(wide.records, base.records);
  // Line 26 starts 3,253 ASCII characters after the UTF-8 BOM: 2 + 2 × 3,253 bytes into the UTF-16 file.
  assert.deepEqual(wide.issues, [{ ...base.issues[0], offset: 2 + 2 * (3256 - 3) }]);
  // Line 10's reply gets Windows-1252 curly quotes (0x93, 0x94: not UTF-8), line 14's a UTF-8 "é".
  const text = utf8.toString('latin1');
  const swap = (from: string, to: Buffer) => {
    const at = text.indexOf(from);
    return [utf8.subarray(0, at), to, utf8.subarray(at + from.length)];
  };
  const [head, quoted, rest] = swap('alice@contoso.com....Sender', Buffer.from([0x93, ...Buffer.from('alice@contoso.com'), 0x94, ...Buffer.from('..Sender')]));
  const mixed = Buffer.concat([head, quoted, rest]);
  const at = mixed.indexOf('250+2.1.5+bob@partner.example');
  const mixedBoth = Buffer.concat([mixed.subarray(0, at), Buffer.from('250+2.1.5+b\u00e9b@partner.example', 'utf8'), mixed.subarray(at + '250+2.1.5+bob@partner.example'.length)]);
  const r = await runReader(iisSmtpW3cReader, { name: 'mixed', bytes: mixedBoth });
  const lines = r.byTable('smtp_lines');
  assert.equal(lines.length, base.byTable('smtp_lines').length);
  assert.equal(lines.find((l) => l.line_no === 10)!.reply_text, '250 2.1.0 \u201calice@contoso.com\u201d..Sender OK');
  assert.equal(lines.find((l) => l.line_no === 14)!.reply_text, '250 2.1.5 b\u00e9b@partner.example');
  assert.equal(lines.find((l) => l.line_no === 14)!.remote_endpoint, '198.51.100.10:25');
});

test('fixture ex060315: #Fields redefined mid-file re-maps the columns; rows without date take #Date', async () => {
  const r = await runReader(iisSmtpW3cReader, new URL('iis-smtp-w3c/ex060315.log', FIXTURES));
  assert.deepEqual(r.issues, []);
  const lines = r.byTable('smtp_lines');
  assert.equal(lines.length, 9);
  const before = lines[2];
  assert.deepEqual([before.line_no, before.server, before.verb, before.argument, before.reply_code], [7, 'EXCH01', 'MAIL', 'FROM:<news@example.org>', 250]);
  const after = lines[3];
  assert.equal(after.line_no, 12);
  assert.equal(after.time, iso('2006-03-15T08:05:01Z'));
  assert.equal(after.server, null, 'the new field set has no s-computername');
  assert.equal(after.remote_ip, '192.0.2.78');
  assert.equal(after.remote_host, 'gw.example.net');
  assert.equal(after.verb, 'EHLO');
  assert.equal(after.reply_code, 250);
  const sessions = byKey(r.byTable('smtp_sessions'));
  const masked = sessions.get('in/192.0.2.77/1')!;
  assert.deepEqual([masked.masked_verbs, masked.ehlo_refused, masked.greeting, masked.end_reason], [true, true, 'HELO', 'open']);
  const gw = sessions.get('in/192.0.2.78/2')!;
  assert.deepEqual([gw.recipients_accepted, gw.recipients_rejected, gw.messages_accepted, gw.end_reason], [1, 1, 1, 'completed']);
  assert.equal(gw.recipients[1].reply_code, 550);
});

test('fixture ex100109-no-time: rows without date/time load with a null time; sessions still derive', async () => {
  const r = await runReader(iisSmtpW3cReader, new URL('iis-smtp-w3c/ex100109-no-time.log', FIXTURES));
  assert.deepEqual(r.issues, []);
  const lines = r.byTable('smtp_lines');
  assert.equal(lines.length, 11);
  assert.ok(lines.every((l) => l.time === null));
  assert.deepEqual([lines[7].verb, lines[7].argument, lines[7].reply_code], ['XEXCH50', '1020 2', null]);
  const [cut, retry] = r.byTable('smtp_sessions');
  assert.deepEqual(
    [cut.session_key, cut.start_time, cut.xexch50_outcome, cut.xexch50_bytes, cut.end_reason, cut.line_count],
    ['out/203.0.113.25/1', null, 'dropped-after-354', 1020, 'dropped-after-xexch50', 9],
  );
  assert.deepEqual([retry.session_key, retry.end_reason, retry.line_count], ['out/203.0.113.25/2', 'open', 2]);
});

test('IIS format: local time converted with --tz across the spring-forward; without --tz read as UTC with a warning', async () => {
  const url = new URL('iis-smtp-iis/in060402.log', FIXTURES);
  const r = await runReader(iisSmtpIisFormatReader, url, 'America/New_York');
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.timeRules, ['IIS-format date/time: local time, zone America/New_York (--tz)']);
  const lines = r.byTable('smtp_lines');
  assert.deepEqual(
    lines.map((l) => l.time),
    ['2006-04-02T06:59:50Z', '2006-04-02T06:59:58Z', '2006-04-02T07:00:05Z', '2006-04-02T07:00:06Z', '2006-04-02T07:00:06Z', '2006-04-02T07:10:00Z', '2006-04-02T07:10:00Z'].map(iso),
  );
  assert.deepEqual([lines[1].verb, lines[1].argument, lines[1].reply_code, lines[1].bytes], ['MAIL', 'FROM:<a@example.org>', 250, 75]);
  assert.deepEqual([lines[5].direction, lines[5].reply_code, lines[5].reply_text], ['outbound', 220, '220 mail.fabrikam.example ESMTP']);
  const [inbound] = r.byTable('smtp_sessions');
  assert.deepEqual([inbound.remote_host, inbound.messages_accepted, inbound.end_reason], ['mx.example.org', 1, 'completed']);

  const noTz = await runReader(iisSmtpIisFormatReader, url);
  assert.equal(noTz.byTable('smtp_lines')[0].time, iso('2006-04-02T01:59:50Z'));
  assert.deepEqual(noTz.timeRules, ['IIS-format date/time: local time, no --tz given: read as UTC']);
  assert.equal(noTz.issues.length, 1);
  assert.equal(noTz.issues[0].severity, 'warning');
});

test('emitFrom: re-reading a grown log yields exactly the appended lines and only sessions wholly in them', async () => {
  const full = bytesOf(new URL('iis-smtp-w3c/ex060314.log', FIXTURES));
  // The old file ended after line 34 (the 504 session's `221`), before the 203.0.113.25 sessions.
  let cut = 0;
  for (let line = 0; line < 34; line++) cut = full.indexOf(0x0a, cut) + 1;
  const old = await runReader(iisSmtpW3cReader, { name: 'old', bytes: full.subarray(0, cut) });
  const tail = await runReader(iisSmtpW3cReader, { name: 'grown', bytes: full, emitFrom: cut });
  const whole = await runReader(iisSmtpW3cReader, { name: 'whole', bytes: full });
  const oldLines = old.byTable('smtp_lines').map((l) => l.line_no);
  const tailLines = tail.byTable('smtp_lines').map((l) => l.line_no);
  assert.deepEqual(tailLines, whole.byTable('smtp_lines').map((l) => l.line_no).filter((n) => n! > 34));
  assert.deepEqual([...oldLines, ...tailLines], whole.byTable('smtp_lines').map((l) => l.line_no));
  assert.deepEqual(tail.issues, [], 'the bad line 26 was reported by the earlier ingest');
  assert.deepEqual(tail.byTable('smtp_sessions').map((s) => s.session_key).sort(), ['in/192.0.2.99/5', 'out/203.0.113.25/3', 'out/203.0.113.25/4']);
  assert.equal(tail.byTable('smtp_lines')[0].session_key, 'out/203.0.113.25/3', 'session numbering continues from the replayed prefix');
});

test('NCSA: a line with a bad time is rejected with its line number, the rest is loaded', async () => {
  const text = [
    '192.0.2.1 - a.example [11/Oct/2006:13:16:40 -0600] "HELO -?+a.example SMTP" 250 46',
    '192.0.2.1 - a.example [11/Oct/2006:13:16:99 -0600] "MAIL -?+FROM:<x@a.example> SMTP" 250 46',
    '192.0.2.1 - a.example [11/Oct/2006:13:16:41 -0600] "QUIT -?a.example SMTP" 240 68',
  ].join('\r\n');
  const r = await runReader(iisSmtpNcsaReader, { name: 'nc.log', bytes: Buffer.from(text) });
  assert.deepEqual(r.issues.map((i) => [i.line, i.rejected, i.message]), [[2, true, 'field time: not an NCSA time: "11/Oct/2006:13:16:99 -0600"']]);
  assert.deepEqual(r.byTable('smtp_lines').map((l) => [l.line_no, l.time]), [[1, iso('2006-10-11T19:16:40Z')], [3, iso('2006-10-11T19:16:41Z')]]);
});
