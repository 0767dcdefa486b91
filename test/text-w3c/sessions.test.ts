// SmtpSessionTracker on hand-built smtp_lines, one scenario per ending described in
// log-formats.md §4.4–4.8, §6.3 and §10 (constructed from the documented layout).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmtpSessionTracker } from '../../src/readers/smtp/sessions.js';
import type { SmtpLineRecord, SmtpSessionRecord } from '../../src/store/records.js';

const T0 = 1_142_327_566_000_000_000n; // 2006-03-14T09:12:46Z
const SECOND = 1_000_000_000n;
let lineNo = 0;

function line(key: string, direction: 'inbound' | 'outbound', at: number, fields: Partial<SmtpLineRecord>): SmtpLineRecord {
  return {
    table: 'smtp_lines',
    time: T0 + BigInt(at) * SECOND,
    server: 'EXCH01',
    direction,
    session_key: key,
    sequence: null,
    local_endpoint: null,
    remote_endpoint: null,
    remote_ip: '203.0.113.25',
    remote_host: null,
    event: null,
    verb: null,
    argument: null,
    reply_code: null,
    reply_text: null,
    bytes: null,
    line_no: ++lineNo,
    ...fields,
  };
}

/** An outbound conversation written as `>VERB arg` (command) and `<NNN text` (reply) steps. */
function outbound(key: string, steps: string[], start = 0): SmtpLineRecord[] {
  return steps.map((step, i) => {
    const body = step.slice(1);
    if (step[0] === '>') {
      const space = body.indexOf(' ');
      return line(key, 'outbound', start + i, {
        verb: space < 0 ? body : body.slice(0, space),
        argument: space < 0 ? null : body.slice(space + 1),
      });
    }
    return line(key, 'outbound', start + i, { reply_code: Number(body.slice(0, 3)), reply_text: body });
  });
}

function feed(tracker: SmtpSessionTracker, lines: SmtpLineRecord[]): SmtpSessionRecord[] {
  const out: SmtpSessionRecord[] = [];
  for (const l of lines) out.push(...tracker.add(l));
  return out;
}

const HANDSHAKE = ['<220-mx.example.net ESMTP', '>EHLO exch01.contoso.com', '<250-mx.example.net Hello [192.0.2.1]', '>MAIL FROM:<a@contoso.com> SIZE=1722', '<250 2.1.0 Sender OK', '>RCPT TO:<bob@Example.NET>', '<250 2.1.5 Recipient OK'];

test('XEXCH50 accepted: 354, blob, 250, then DATA and QUIT → completed', () => {
  const tracker = new SmtpSessionTracker();
  const emitted = feed(tracker, outbound('s1', [...HANDSHAKE, '>XEXCH50 1020 2', '<354 Send binary data', '<250 XEXCH50 OK', '>DATA', '<354 Start mail input', '<250 2.6.0 Queued mail for delivery', '>QUIT', '<221 2.0.0 Service closing transmission channel']));
  assert.equal(emitted.length, 0);
  const [s] = tracker.finish();
  assert.equal(s.session_key, 's1');
  assert.equal(s.remote_host, 'mx.example.net');
  assert.equal(s.banner_code, 220);
  assert.equal(s.greeting, 'EHLO');
  assert.equal(s.xexch50_sent, true);
  assert.equal(s.xexch50_advertised, true);
  assert.equal(s.xexch50_bytes, 1020);
  assert.equal(s.xexch50_reply_code, 250);
  assert.equal(s.xexch50_reply_text, '250 XEXCH50 OK');
  assert.equal(s.xexch50_outcome, 'accepted');
  assert.equal(s.mail_from, 'a@contoso.com');
  assert.equal(s.recipients_accepted, 1);
  assert.equal(s.recipient_domains, 'example.net');
  assert.deepEqual(s.recipients, [{ recipient: 'bob@Example.NET', domain: 'example.net', reply_code: 250, reply_text: '250 2.1.5 Recipient OK' }]);
  assert.equal(s.messages_accepted, 1);
  assert.equal(s.end_reason, 'completed');
  assert.equal(s.line_count, 15);
  assert.equal(s.start_time, T0);
  assert.equal(s.end_time, T0 + 14n * SECOND);
});

test('XEXCH50 refused with 504 (harmless, §13.2): mail still flows', () => {
  const tracker = new SmtpSessionTracker();
  feed(tracker, outbound('s2', [...HANDSHAKE, '>XEXCH50 1028 2', '<504 Need to authenticate first', '>DATA', '<354 go', '<250 OK', '>QUIT', '<221 bye']));
  const [s] = tracker.finish();
  assert.equal(s.xexch50_outcome, 'refused-504');
  assert.equal(s.xexch50_reply_code, 504);
  assert.equal(s.xexch50_bytes, 1028);
  assert.equal(s.end_reason, 'completed');
});

test('XEXCH50 dropped after 354: the next connection to the peer ends it (KB 818222, §4.6)', () => {
  const tracker = new SmtpSessionTracker();
  feed(tracker, outbound('s3', [...HANDSHAKE, '>XEXCH50 1020 2', '<354 Send binary data']));
  const s = tracker.end('s3', 'new-connection');
  assert.ok(s);
  assert.equal(s.xexch50_outcome, 'dropped-after-354');
  assert.equal(s.xexch50_reply_code, 354);
  assert.equal(s.end_reason, 'dropped-after-xexch50');
  assert.equal(s.messages_accepted, 0);
  assert.deepEqual(tracker.finish(), []);
});

test('XEXCH50 with no reply at all, closed by the idle window → outcome dropped', () => {
  const tracker = new SmtpSessionTracker({ idleSeconds: 600 });
  feed(tracker, outbound('s4', [...HANDSHAKE, '>XEXCH50 1020 2']));
  const later = outbound('other', ['<220 mx2 ready'], 8 + 601);
  const ended = feed(tracker, later);
  assert.equal(ended.length, 1);
  assert.equal(ended[0].session_key, 's4');
  assert.equal(ended[0].xexch50_outcome, 'dropped');
  assert.equal(ended[0].end_reason, 'dropped-after-xexch50');
  const [rest] = tracker.finish();
  assert.equal(rest.session_key, 'other');
  assert.equal(rest.end_reason, 'open');
});

test('354 then another command without a logged acknowledgement: the blob went through; 354 then QUIT: dropped', () => {
  const tracker = new SmtpSessionTracker();
  feed(tracker, outbound('went', [...HANDSHAKE, '>XEXCH50 1020 2', '<354 Send binary data', '>DATA', '<354 go', '<250 queued', '>QUIT', '<221 bye']));
  feed(tracker, outbound('gaveup', [...HANDSHAKE, '>XEXCH50 1020 2', '<354 Send binary data', '>QUIT', '<221 bye']));
  const [went, gaveUp] = tracker.finish();
  assert.deepEqual([went.xexch50_outcome, went.messages_accepted, went.end_reason], ['accepted', 1, 'completed']);
  assert.deepEqual([gaveUp.xexch50_outcome, gaveUp.end_reason], ['dropped-after-354', 'dropped-after-xexch50']);
});

test('closeOnQuit: a session is emitted as soon as its QUIT is answered', () => {
  const tracker = new SmtpSessionTracker({ closeOnQuit: true });
  const ended = feed(tracker, outbound('q', ['<220 mx', '>EHLO me', '<250 mx', '>QUIT', '<221 bye']));
  assert.deepEqual(ended.map((s) => [s.session_key, s.end_reason, s.line_count]), [['q', 'quit', 5]]);
  assert.deepEqual(tracker.finish(), []);
});

test('log ends right after 354: the session is reported open, not judged', () => {
  const tracker = new SmtpSessionTracker();
  feed(tracker, outbound('s5', [...HANDSHAKE, '>XEXCH50 1020 2', '<354 Send binary data']));
  const [s] = tracker.finish();
  assert.equal(s.end_reason, 'open');
  assert.equal(s.xexch50_outcome, null);
});

test('Exchange 2007+ send log: one row per EHLO line, 250-XEXCH50 advertised, `-` closes', () => {
  const tracker = new SmtpSessionTracker();
  const rows = [
    line('08D760DF231F00BC', 'outbound', 0, { event: '+' }),
    line('08D760DF231F00BC', 'outbound', 0, { event: '<', reply_code: 220, reply_text: '220 M10-SD-MLCH04.sd.cnc.intra Microsoft ESMTP MAIL Service ready' }),
    line('08D760DF231F00BC', 'outbound', 0, { event: '>', verb: 'EHLO', argument: 'M10-HQ-MLCEN01.cnc.intra' }),
    line('08D760DF231F00BC', 'outbound', 0, { event: '<', reply_code: 250, reply_text: '250-M10-SD-MLCH04.sd.cnc.intra Hello [10.1.1.31]' }),
    line('08D760DF231F00BC', 'outbound', 0, { event: '<', reply_code: 250, reply_text: '250-PIPELINING' }),
    line('08D760DF231F00BC', 'outbound', 0, { event: '<', reply_code: 250, reply_text: '250-XEXCH50' }),
    line('08D760DF231F00BC', 'outbound', 0, { event: '<', reply_code: 250, reply_text: '250 XSHADOW' }),
    line('08D760DF231F00BC', 'outbound', 1, { event: '*', argument: 'Outbound Authentication failed with LogonDenied' }),
    line('08D760DF231F00BC', 'outbound', 1, { event: '-' }),
  ];
  const ended = feed(tracker, rows);
  assert.equal(ended.length, 1);
  const s = ended[0];
  assert.equal(s.xexch50_advertised, true);
  assert.equal(s.xexch50_sent, false);
  assert.equal(s.xexch50_outcome, null);
  assert.equal(s.greeting, 'EHLO');
  assert.equal(s.remote_host, 'M10-SD-MLCH04.sd.cnc.intra');
  assert.equal(s.end_reason, 'dropped');
  assert.equal(s.line_count, 9);
});

test('a complete EHLO list without XEXCH50 → advertised false; IIS first line only → unknown', () => {
  const tracker = new SmtpSessionTracker();
  feed(tracker, outbound('full', ['<220 mx ready', '>EHLO me', '<250-mx Hello', '<250-SIZE', '<250 PIPELINING', '>QUIT', '<221 bye']));
  feed(tracker, outbound('iis', ['<220 mx ready', '>EHLO me', '<250-mx Hello', '>MAIL FROM:<a@b>', '<250 OK', '>QUIT', '<221 bye']));
  const [full, iis] = tracker.finish();
  assert.equal(full.xexch50_advertised, false);
  assert.equal(full.end_reason, 'quit');
  assert.equal(iis.xexch50_advertised, null);
  assert.equal(iis.mail_from, 'a@b');
  assert.equal(iis.end_reason, 'quit');
});

test('pipelined RCPTs get their own replies in order; rejected ones counted', () => {
  const tracker = new SmtpSessionTracker();
  feed(tracker, outbound('p', ['<220 mx', '>EHLO me', '<250 mx', '>MAIL FROM:<a@contoso.com>', '>RCPT TO:<x@one.example>', '>RCPT TO:<y@two.example>', '<250 sender ok', '<250 ok', '<550 5.1.1 unknown', '>QUIT', '<221 bye']));
  const [s] = tracker.finish();
  assert.deepEqual(
    s.recipients.map((r) => [r.recipient, r.reply_code]),
    [['x@one.example', 250], ['y@two.example', 550]],
  );
  assert.equal(s.recipients_accepted, 1);
  assert.equal(s.recipients_rejected, 1);
  assert.equal(s.recipient_domains, 'one.example,two.example');
});

test('inbound IIS rows (command + our reply): xxxx/500 then HELO fallback (§4.8)', () => {
  const tracker = new SmtpSessionTracker();
  const rows = [
    line('in1', 'inbound', 0, { verb: 'XXXX', argument: 'sveta', reply_code: 500 }),
    line('in1', 'inbound', 0, { verb: 'HELO', argument: 'sveta', reply_code: 250, remote_host: 'sveta' }),
    line('in1', 'inbound', 0, { verb: 'MAIL', argument: 'FROM:<malaquias@fu-berlin.de>', reply_code: 250 }),
    line('in1', 'inbound', 0, { verb: 'RCPT', argument: 'TO:<heyrmanmheyrman@meelift.com>', reply_code: 250 }),
    line('in1', 'inbound', 4, { verb: 'DATA', argument: '<000b01c6eb60$0511fad0$4507a8c0@sveta>', reply_code: 250 }),
    line('in1', 'inbound', 4, { verb: 'QUIT', argument: 'sveta', reply_code: 240 }),
  ];
  feed(tracker, rows);
  const [s] = tracker.finish();
  assert.equal(s.masked_verbs, true);
  assert.equal(s.ehlo_refused, true);
  assert.equal(s.greeting, 'HELO');
  assert.equal(s.remote_host, 'sveta');
  assert.equal(s.messages_accepted, 1);
  assert.equal(s.recipients[0].reply_code, 250);
  assert.equal(s.recipients[0].reply_text, null);
  assert.equal(s.end_reason, 'completed');
});

test('a 421 reply ends the session as refused; a 421 timeout text as timeout', () => {
  const tracker = new SmtpSessionTracker();
  feed(tracker, outbound('r', ['<220 mx', '>EHLO me', '<250 mx', '>MAIL FROM:<a@b>', '<421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred']));
  feed(tracker, outbound('t', ['<220 mx', '>EHLO me', '<250 mx', '>MAIL FROM:<a@b>', '<421 4.4.2 Connection timed out']));
  const [r, t] = [tracker.end('r', 'disconnect'), tracker.end('t', 'disconnect')];
  assert.equal(r?.end_reason, 'refused');
  assert.equal(t?.end_reason, 'timeout');
});

test('sessions with replayed lines (before emitFrom) are never emitted', () => {
  const tracker = new SmtpSessionTracker();
  const rows = outbound('old', ['<220 mx', '>EHLO me', '<250 mx', '>QUIT', '<221 bye']);
  rows.forEach((l, i) => tracker.add(l, i < 2));
  const fresh = outbound('new', ['<220 mx', '>QUIT', '<221 bye'], 10);
  for (const l of fresh) tracker.add(l, false);
  assert.deepEqual(tracker.finish().map((s) => s.session_key), ['new']);
});

test('memory cap: beyond maxOpen the least recently active session is closed', () => {
  const tracker = new SmtpSessionTracker({ maxOpen: 2 });
  const ended: SmtpSessionRecord[] = [];
  for (const key of ['a', 'b', 'a', 'c']) ended.push(...tracker.add(line(key, 'outbound', 0, { reply_code: 220, reply_text: '220 x' })));
  assert.deepEqual(ended.map((s) => [s.session_key, s.end_reason]), [['b', 'timeout']]);
  assert.deepEqual(tracker.finish().map((s) => s.session_key), ['a', 'c']);
});

test('a session of 30,000 recipients and 5,000 unanswered commands stays bounded: 10,000 recipient rows, 1,000 domains, every RCPT counted', () => {
  const tracker = new SmtpSessionTracker();
  const rcpts: string[] = [];
  for (let n = 0; n < 30_000; n++) rcpts.push(`>RCPT TO:<u${n}@d${n % 1500}.example>`, n % 3 === 0 ? '<550 5.1.1 unknown' : '<250 2.1.5 OK');
  const silent = Array.from({ length: 5_000 }, (_, n) => `>NOOP ${n}`);
  feed(tracker, outbound('big', [...HANDSHAKE, ...rcpts, ...silent, '>QUIT', '<221 bye']));
  const [s] = tracker.finish();
  assert.equal(s.recipients_accepted, 1 + 20_000);
  assert.equal(s.recipients_rejected, 10_000);
  assert.equal(s.recipients.length, 10_000);
  assert.deepEqual(s.recipients[9_999], { recipient: 'u9998@d998.example', domain: 'd998.example', reply_code: 250, reply_text: '250 2.1.5 OK' });
  assert.equal(s.recipient_domains?.split(',').length, 1_000);
  assert.equal(s.line_count, HANDSHAKE.length + 60_000 + 5_000 + 2);
});
