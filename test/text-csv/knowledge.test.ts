// The data tables behind event kinds and status-code classes (src/knowledge/*.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { TRACKING_KINDS, exchange2003EventInfo, exchange2003Kind, exchange2007Kind } from '../../src/knowledge/tracking-events.js';
import { findStatusCode, statusCodeInfo } from '../../src/knowledge/status-codes.js';

test('Exchange 2003 event ids map to kinds, unconfirmed meanings flagged', () => {
  const expected: [string, string][] = [
    ['0', 'received'], ['4', 'submitted'], ['7', 'sent'], ['9', 'delivered'], ['34', 'ndr'], ['50', 'failed'],
    ['1010', 'queued-remote'], ['1019', 'submitted'], ['1020', 'transfer-begin'], ['1027', 'submitted'],
    ['1028', 'delivered'], ['1030', 'ndr'], ['1031', 'sent'], ['1032', 'defer'], ['1034', 'queued-remote'], ['1035', 'defer'],
  ];
  for (const [id, kind] of expected) assert.equal(exchange2003Kind(id, null), kind, `event ${id}`);
  assert.equal(exchange2003Kind('9999', null), 'other');
  assert.equal(exchange2003Kind('3', null), 'other'); // not in the documented list
  assert.equal(exchange2003EventInfo('1019')?.confirmed, true); // documented (S6, S7)
  assert.equal(exchange2003EventInfo('1020')?.confirmed, false); // unconfirmed (§3.5)
  assert.equal(exchange2003EventInfo('1031')?.confirmed, false);
});

test('report events follow Recipient-Report-Status: 0 delivery report, 1 NDR', () => {
  assert.equal(exchange2003Kind('34', '1'), 'ndr');
  assert.equal(exchange2003Kind('34', '0'), 'dsn');
  assert.equal(exchange2003Kind('1017', '0'), 'dsn');
  assert.equal(exchange2003Kind('1019', '1'), 'submitted'); // not a report event
});

test('Exchange 2007+ event names map to kinds, case-insensitively', () => {
  const expected: [string, string][] = [
    ['RECEIVE', 'received'], ['SUBMIT', 'submitted'], ['SEND', 'sent'], ['DELIVER', 'delivered'], ['DEFER', 'defer'],
    ['FAIL', 'failed'], ['DSN', 'dsn'], ['BADMAIL', 'failed'], ['RESOLVE', 'other'], ['NOTIFYMAPI', 'other'], ['deliver', 'delivered'],
  ];
  for (const [name, kind] of expected) assert.equal(exchange2007Kind(name), kind, name);
  assert.equal(exchange2007Kind('SOMETHINGNEW'), 'other');
});

test('every kind in tracking-events.json is one of the normalised kinds', async () => {
  const table = JSON.parse(await readFile(new URL('../../src/knowledge/tracking-events.json', import.meta.url), 'utf8'));
  const kinds = new Set<string>(TRACKING_KINDS);
  const all = [...Object.values(table.exchange2003), ...Object.values(table.exchange2007)] as { kind: string }[];
  assert.equal(all.length, 62 + 41);
  for (const info of all) assert.ok(kinds.has(info.kind), info.kind);
});

test('enhanced status codes: found in status text, classified from the table', () => {
  assert.equal(findStatusCode('550 4.4.7 QUEUE.Expired;message expired'), '4.4.7');
  assert.equal(findStatusCode('<exch01.contoso.local #4.4.7>'), '4.4.7');
  assert.equal(findStatusCode('250 2.1.5 Recipient OK'), '2.1.5');
  assert.equal(findStatusCode('Version: 6.0.3790.1830'), null);
  assert.equal(findStatusCode('connected to 10.4.4.7 port 25'), null);
  assert.equal(findStatusCode('1'), null);
  assert.equal(findStatusCode(null), null);
  assert.deepEqual(statusCodeInfo('4.4.7'), { code: '4.4.7', meaning: 'Message expired in the queue before delivery', class: 'expired' });
  assert.equal(statusCodeInfo('5.4.0').class, 'dns');
  assert.equal(statusCodeInfo('4.4.1').class, 'unreachable');
  assert.equal(statusCodeInfo('5.1.1').class, 'recipient');
  assert.equal(statusCodeInfo('5.3.3').class, 'other');
  assert.deepEqual(statusCodeInfo('5.1.10'), { code: '5.1.10', meaning: null, class: 'recipient' });
  assert.deepEqual(statusCodeInfo('4.7.0'), { code: '4.7.0', meaning: null, class: 'other' });
});
