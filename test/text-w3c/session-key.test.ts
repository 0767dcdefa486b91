// The IIS session-key rule (src/readers/iis-smtp/session-key.ts), row by row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IisSessionKeyer } from '../../src/readers/iis-smtp/session-key.js';
import type { SmtpLineDraft } from '../../src/readers/iis-smtp/row.js';

const T0 = 1_160_370_015_000_000_000n;

function row(ip: string, at: number, direction: 'inbound' | 'outbound', verb: string | null, reply: number | null): SmtpLineDraft {
  return {
    table: 'smtp_lines',
    time: T0 + BigInt(at) * 1_000_000_000n,
    server: 'EXCH01',
    direction,
    session_key: null,
    sequence: null,
    local_endpoint: null,
    remote_endpoint: null,
    remote_ip: ip,
    remote_host: null,
    event: null,
    verb,
    argument: null,
    reply_code: reply,
    reply_text: null,
    bytes: null,
    line_no: null,
  };
}

function keys(rows: SmtpLineDraft[]): { keys: (string | null)[]; ended: string[]; sequences: (number | null)[] } {
  const keyer = new IisSessionKeyer();
  const ended: string[] = [];
  for (const r of rows) {
    const a = keyer.assign(r);
    if (a !== null) ended.push(`${a.endedKey}:${a.cause}`);
  }
  return { keys: rows.map((r) => r.session_key), ended, sequences: rows.map((r) => r.sequence) };
}

test('interleaved peers keep their own sessions; sequence counts within each', () => {
  const r = keys([
    row('198.51.100.1', 0, 'outbound', null, 220),
    row('198.51.100.2', 0, 'outbound', null, 220),
    row('198.51.100.1', 1, 'outbound', 'EHLO', null),
    row('192.0.2.9', 1, 'inbound', 'HELO', 250),
    row('198.51.100.2', 1, 'outbound', 'EHLO', null),
    row('198.51.100.1', 2, 'outbound', null, 250),
  ]);
  assert.deepEqual(r.keys, ['out/198.51.100.1/1', 'out/198.51.100.2/2', 'out/198.51.100.1/1', 'in/192.0.2.9/3', 'out/198.51.100.2/2', 'out/198.51.100.1/1']);
  assert.deepEqual(r.sequences, [0, 0, 1, 0, 1, 2]);
  assert.deepEqual(r.ended, []);
});

test('after an answered QUIT the next row is a new session; the 221 stays in the old one', () => {
  const r = keys([
    row('198.51.100.1', 0, 'outbound', 'QUIT', null),
    row('198.51.100.1', 0, 'outbound', null, 221),
    row('198.51.100.1', 5, 'outbound', null, 220),
    row('192.0.2.9', 6, 'inbound', 'QUIT', 240),
    row('192.0.2.9', 7, 'inbound', 'HELO', 250),
  ]);
  assert.deepEqual(r.keys, ['out/198.51.100.1/1', 'out/198.51.100.1/1', 'out/198.51.100.1/2', 'in/192.0.2.9/3', 'in/192.0.2.9/4']);
  assert.deepEqual(r.ended, [], 'a session whose QUIT was answered is over already: nothing left to end');
});

test('a banner mid-session (retry after a cut), a second greeting, and an idle gap start new sessions', () => {
  const r = keys([
    row('203.0.113.25', 0, 'outbound', 'XEXCH50', null),
    row('203.0.113.25', 0, 'outbound', null, 354),
    row('203.0.113.25', 60, 'outbound', null, 220),
    row('192.0.2.9', 61, 'inbound', 'EHLO', 250),
    row('192.0.2.9', 62, 'inbound', 'EHLO', 250),
    row('192.0.2.9', 62 + 601, 'inbound', 'MAIL', 250),
  ]);
  assert.deepEqual(r.keys, ['out/203.0.113.25/1', 'out/203.0.113.25/1', 'out/203.0.113.25/2', 'in/192.0.2.9/3', 'in/192.0.2.9/4', 'in/192.0.2.9/5']);
  assert.deepEqual(r.ended, ['out/203.0.113.25/1:new-connection', 'in/192.0.2.9/3:new-connection', 'in/192.0.2.9/4:idle']);
});

test('no new session for HELO after a refused (masked) EHLO, nor for the banner and EHLO after STARTTLS', () => {
  const r = keys([
    row('192.0.2.9', 0, 'inbound', 'XXXX', 500),
    row('192.0.2.9', 0, 'inbound', 'HELO', 250),
    row('198.51.100.1', 1, 'outbound', 'EHLO', null),
    row('198.51.100.1', 1, 'outbound', null, 250),
    row('198.51.100.1', 1, 'outbound', 'STARTTLS', null),
    row('198.51.100.1', 1, 'outbound', null, 220),
    row('198.51.100.1', 2, 'outbound', 'EHLO', null),
  ]);
  assert.deepEqual(r.keys, ['in/192.0.2.9/1', 'in/192.0.2.9/1', 'out/198.51.100.1/2', 'out/198.51.100.1/2', 'out/198.51.100.1/2', 'out/198.51.100.1/2', 'out/198.51.100.1/2']);
  assert.deepEqual(r.ended, []);
});
