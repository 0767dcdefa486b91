// The diagnosis reports on a hand-built store whose every value is known (test/analysis/world.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.js';
import type { StoredRecord } from '../../src/store/records.js';
import {
  MIN,
  SEC,
  at,
  blockedDomain,
  dnsDomain,
  firewallRow,
  harmless504Domain,
  queueSnapshot,
  recipientRejectedDomain,
  smtpEvt,
  storeWith,
  transientDomain,
} from '../analysis/world.js';
import { report } from './helpers.js';

let store: Store;

before(async () => {
  const records: StoredRecord[] = [
    ...blockedDomain('northwind.example', '198.51.100.25', { firewall: { host: 'ISA2K-GW', offsetSeconds: 143 } }),
    ...harmless504Domain('auth504.example', '198.51.100.7'),
    ...transientDomain('greylist.example', '198.51.100.9'),
    ...dnsDomain('nodns.example'),
    ...recipientRejectedDomain('strict.example', '198.51.100.11'),
    smtpEvt('ISA06-EDGE', at(30n * SEC), 'TURN'),
    queueSnapshot(at(30n * MIN), 'northwind.example', 'Retry', 3, at(0n), 'The connection was dropped by the remote host.'),
    queueSnapshot(at(90n * MIN), 'northwind.example', 'Retry', 3, at(0n), 'The connection was dropped by the remote host.'),
    queueSnapshot(at(90n * MIN), 'greylist.example', 'Ready', 0, null, null),
    firewallRow('ISA2K-GW', at(6n * SEC), '192.0.2.10', '198.51.100.25', 'Denied'),
    firewallRow('ISA2K-GW', at(7n * SEC), '192.0.2.10', '198.51.100.25', 'Establish'),
  ];
  // Two record-number gaps in one computer's log: 5..6 and 9 missing; record 7 loaded twice.
  for (const id of [3, 4, 7, 7, 8, 10]) {
    records.push({ ...smtpEvt('DC01', at(BigInt(id) * MIN), null), record_id: id, provider: 'Service Control Manager', event_id: 7036 });
  }
  store = await storeWith(records);
});

after(async () => {
  await store.close();
});

test('domain-summary: per-domain counts as diagnose counts them', async () => {
  const { rows } = await report(store, 'domain-summary');
  const by = Object.fromEntries(rows.map((r) => [r.domain as string, r]));
  assert.deepEqual(Object.keys(by).sort(), ['auth504.example', 'greylist.example', 'nodns.example', 'northwind.example', 'strict.example']);
  assert.deepEqual(
    { ...by['northwind.example'] },
    {
      domain: 'northwind.example',
      sent: '3',
      delivered: '0',
      deferred: '0',
      ndr: '1',
      undelivered: '2',
      avg_delay_s: null,
      max_delay_s: null,
      xexch50_attempts: '9',
      xexch50_failures: '9',
      firewall_xexch50_events: '9',
    },
  );
  assert.equal(rows[0].domain, 'northwind.example', 'most undelivered first');
  assert.equal(by['greylist.example'].deferred, '1');
  assert.equal(by['greylist.example'].max_delay_s, 602);
  assert.equal(by['auth504.example'].avg_delay_s, 5);
  assert.equal(by['auth504.example'].xexch50_failures, '0');
  assert.equal(by['strict.example'].ndr, '1');
  assert.equal(by['strict.example'].delivered, '2');
  const one = await report(store, 'domain-summary', { domain: 'NODNS.example' });
  assert.deepEqual(one.rows.map((r) => [r.domain, r.sent, r.ndr]), [['nodns.example', '2', '2']]);
});

test('stuck-messages: waiting recipients, aged to the end of the evidence', async () => {
  const { rows } = await report(store, 'stuck-messages');
  assert.deepEqual(
    rows.map((r) => [r.domain, r.message_id, r.recipient, r.queued, r.attempts]),
    [
      ['northwind.example', '<northwind.example-m1@fabrikam.example>', 'user1@northwind.example', '2007-03-08 08:07:00', '3'],
      ['northwind.example', '<northwind.example-m2@fabrikam.example>', 'user2@northwind.example', '2007-03-08 08:14:00', '3'],
    ],
  );
  // The latest tracking row is nodns's second NDR at 2007-03-10 08:20.
  assert.equal(rows[0].age_hours, 48.22);
  const early = await report(store, 'stuck-messages', { until: '2007-03-08T09:00:00Z', min_age_minutes: '50' });
  assert.deepEqual(early.rows.map((r) => [r.recipient, r.age_hours]), [
    ['user0@nodns.example', 1],
    ['user0@northwind.example', 1],
    ['user1@northwind.example', 0.88],
  ]);
});

test('ndr-by-domain: by day and status code', async () => {
  const { rows } = await report(store, 'ndr-by-domain');
  assert.deepEqual(
    rows.map((r) => [r.domain, r.day, r.status_code, r.meaning, r.recipients]),
    [
      ['strict.example', '2007-03-08', '5.1.1', 'recipient rejected', '1'],
      ['nodns.example', '2007-03-10', '5.4.0', 'authoritative host not found (DNS)', '2'],
      ['northwind.example', '2007-03-10', '4.4.7', 'expired in the queue', '1'],
    ],
  );
});

test('xexch50-sessions: every session that sent XEXCH50, filterable by outcome', async () => {
  const all = await report(store, 'xexch50-sessions');
  assert.equal(all.rows.length, 12);
  const dropped = await report(store, 'xexch50-sessions', { outcome: 'dropped-after-354' });
  assert.equal(dropped.rows.length, 9);
  assert.deepEqual([...new Set(dropped.rows.map((r) => r.recipient_domains))], ['northwind.example']);
  assert.deepEqual(
    [dropped.rows[0].start_time, dropped.rows[0].xexch50_bytes, dropped.rows[0].end_reason],
    ['2007-03-08 08:00:05', '1020', 'dropped-after-xexch50'],
  );
  const harmless = await report(store, 'xexch50-sessions', { domain: 'auth504.example' });
  assert.deepEqual(harmless.rows.map((r) => r.xexch50_outcome), ['refused-504', 'refused-504', 'refused-504']);
});

test('firewall-smtp-blocks: SmtpEvt by host and verb', async () => {
  const { rows } = await report(store, 'firewall-smtp-blocks');
  assert.deepEqual(
    rows.map((r) => [r.host, r.event_id, r.verb, r.events, r.distinct_byte_counts, r.min_bytes, r.max_bytes, r.first]),
    [
      ['ISA06-EDGE', 20031, 'TURN', '1', '0', null, null, '2007-03-08 08:00:30'],
      ['ISA2K-GW', 20031, 'XEXCH50', '9', '3', '1020', '1052', '2007-03-08 08:02:29'],
    ],
  );
});

test('queue-retry: queues seen in Retry', async () => {
  const { rows } = await report(store, 'queue-retry');
  assert.deepEqual(
    rows.map((r) => [r.server, r.domain, r.snapshots, r.retry_snapshots, r.first_retry, r.last_retry, r.latest_messages, r.latest_error]),
    [
      ['EXCH01', 'northwind.example', '2', '2', '2007-03-08 08:30:00', '2007-03-08 09:30:00', '3', 'The connection was dropped by the remote host.'],
      ['EXCH01', 'nodns.example', '1', '1', '2007-03-08 20:00:00', '2007-03-08 20:00:00', '2', 'An SMTP protocol error occurred: the host name could not be resolved (DNS)'],
    ],
  );
});

test('smtp-errors: error replies per remote address and command', async () => {
  // The hand-built sessions carry no reply lines; the XEXCH50 lines have no reply code.
  const { rows } = await report(store, 'smtp-errors');
  assert.deepEqual(rows, []);
});

test('isa-denied-smtp: denied port-25 connections only', async () => {
  const { rows } = await report(store, 'isa-denied-smtp');
  assert.deepEqual(
    rows.map((r) => [r.isa_host, r.source_ip, r.dest_ip, r.action, r.connections]),
    [['ISA2K-GW', '192.0.2.10', '198.51.100.25', 'Denied', '1']],
  );
});

test('domain-timeline: one domain, in time order', async () => {
  const { rows } = await report(store, 'domain-timeline', { domain: 'northwind.example', until: '2007-03-08T08:01:00Z' });
  assert.deepEqual(
    rows.map((r) => [r.time, r.source, r.what, r.status]),
    [
      ['2007-03-08 08:00:00', 'tracking', 'queued-remote (queued-remote)', null],
      ['2007-03-08 08:00:05', 'smtp-session', 'dropped-after-xexch50', 'XEXCH50 1020 dropped-after-354'],
      ['2007-03-08 08:00:05', 'tracking', 'transfer-begin (transfer-begin)', null],
      ['2007-03-08 08:00:06', 'firewall-log', 'Denied', null],
      ['2007-03-08 08:00:07', 'firewall-log', 'Establish', null],
    ],
  );
  const withHost = await report(store, 'domain-timeline', { domain: 'northwind.example', firewall_host: 'isa2k-gw', until: '2007-03-08T08:03:00Z' });
  assert.deepEqual(
    withHost.rows.filter((r) => r.source === 'firewall-event').map((r) => [r.time, r.status]),
    [['2007-03-08 08:02:29', 'XEXCH50 1020']],
  );
});

test('event-id-gaps: missing record numbers per log', async () => {
  const { rows } = await report(store, 'event-id-gaps', { computer: 'dc01' });
  assert.deepEqual(
    rows.map((r) => [r.computer, r.channel, r.first_missing, r.last_missing, r.missing, r.before_gap, r.after_gap]),
    [
      ['DC01', 'Application', '5', '6', '2', '2007-03-08 08:04:00', '2007-03-08 08:07:00'],
      ['DC01', 'Application', '9', '9', '1', '2007-03-08 08:08:00', '2007-03-08 08:10:00'],
    ],
  );
});
