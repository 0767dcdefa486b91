import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, type DiagnosisResult } from '../../src/analysis/diagnose.js';
import type { Finding } from '../../src/analysis/findings.js';
import type { StoredRecord } from '../../src/store/records.js';
import {
  HOUR,
  MIN,
  SEC,
  acceptedDomain,
  at,
  blockedDomain,
  dnsDomain,
  firewallRow,
  harmless504Domain,
  inspectionDomain,
  recipientRejectedDomain,
  smtpEvt,
  storeWith,
  track,
  transientDomain,
  unreachableDomain,
} from './world.js';

async function run(records: StoredRecord[], options: Parameters<typeof diagnose>[1] = {}): Promise<DiagnosisResult> {
  const store = await storeWith(records);
  try {
    return await diagnose(store.connection, options);
  } finally {
    await store.close();
  }
}

function only(result: DiagnosisResult, domain: string): Finding {
  const found = result.findings.filter((f) => f.domain === domain);
  assert.equal(found.length, 1, `one finding for ${domain}: ${JSON.stringify(result.findings.map((f) => f.domain))}`);
  return found[0];
}

test('each look-alike on its own gets its own verdict and exact counts', async (t) => {
  const cases: { name: string; records: StoredRecord[]; domain: string; verdict: string; counts: Partial<Finding['counts']> }[] = [
    {
      name: 'XEXCH50 refused with 504, mail delivered',
      records: harmless504Domain('auth504.example', '198.51.100.7'),
      domain: 'auth504.example',
      verdict: 'healthy',
      counts: { sent: 3, delivered: 3, ndr: 0, undelivered: 0, xexch50_attempts: 3, xexch50_blocked: 0 },
    },
    {
      name: 'XEXCH50 accepted',
      records: acceptedDomain('accepts.example', '198.51.100.8'),
      domain: 'accepts.example',
      verdict: 'healthy',
      counts: { sent: 2, delivered: 2, xexch50_attempts: 2, xexch50_blocked: 0 },
    },
    {
      name: 'transient 4xx deferral, then delivered',
      records: transientDomain('greylist.example', '198.51.100.9'),
      domain: 'greylist.example',
      verdict: 'healthy',
      counts: { sent: 1, delivered: 1, ndr: 0, undelivered: 0 },
    },
    {
      name: 'DNS 5.4.0, no connection',
      records: dnsDomain('nodns.example'),
      domain: 'nodns.example',
      verdict: 'dns-failure',
      counts: { sent: 2, delivered: 0, ndr: 2, undelivered: 0 },
    },
    {
      name: 'time-outs before the banner, 4.4.7',
      records: unreachableDomain('down.example', '198.51.100.10'),
      domain: 'down.example',
      verdict: 'host-unreachable',
      counts: { sent: 1, delivered: 0, ndr: 1, undelivered: 0 },
    },
    {
      name: '5.1.1 for one recipient, the others delivered',
      records: recipientRejectedDomain('strict.example', '198.51.100.11'),
      domain: 'strict.example',
      verdict: 'recipient-rejected',
      counts: { sent: 3, delivered: 2, ndr: 1, undelivered: 0 },
    },
    {
      name: 'EHLO masked and refused, HELO fallback, mail flows',
      records: inspectionDomain('pix.example', '198.51.100.12'),
      domain: 'pix.example',
      verdict: 'smtp-inspection',
      counts: { sent: 1, delivered: 1 },
    },
    {
      name: 'XEXCH50 blob cut, sender side only',
      records: blockedDomain('cut.example', '198.51.100.13'),
      domain: 'cut.example',
      verdict: 'xexch50-blocked',
      counts: { sent: 3, delivered: 0, ndr: 1, undelivered: 2, xexch50_attempts: 9, xexch50_blocked: 9, firewall_events: 0 },
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const result = await run(c.records);
      assert.equal(result.findings.length, 1);
      const f = only(result, c.domain);
      assert.equal(f.verdict, c.verdict, JSON.stringify(f.evidence.reasons));
      for (const [key, value] of Object.entries(c.counts)) {
        assert.equal(f.counts[key as keyof Finding['counts']], value, `${c.domain} ${key}`);
      }
      assert.equal(f.remediation === null, c.verdict === 'healthy');
    });
  }
});

test('the KB 818222 chain with the firewall event is high confidence, with the clock offset estimated', async () => {
  for (const offsetSeconds of [240, -300, 0]) {
    const result = await run(
      blockedDomain('northwind.example', '198.51.100.25', { firewall: { host: 'ISA2K-GW', offsetSeconds } }),
    );
    const f = only(result, 'northwind.example');
    assert.equal(f.verdict, 'xexch50-blocked');
    assert.equal(f.confidence, 'high');
    assert.equal(f.counts.firewall_events, 9);
    assert.equal(f.counts.xexch50_blocked, 9);
    assert.equal(result.firewallHosts.length, 1);
    const host = result.firewallHosts[0];
    assert.equal(host.host, 'ISA2K-GW');
    assert.deepEqual(host.domains, ['northwind.example']);
    assert.equal(host.method, 'matching');
    assert.equal(host.matched, 9);
    assert.ok(Math.abs((host.clockOffsetSeconds ?? Infinity) - offsetSeconds) <= 5, `offset ${host.clockOffsetSeconds} vs ${offsetSeconds}`);
    assert.match(f.remediation ?? '', /SuppressExternal/);
    assert.match(f.remediation ?? '', /KB818222/);
    const examples = f.evidence.examples as { matched: unknown[]; stuck: { message_id: string }[] };
    assert.equal(examples.matched.length, 3);
    assert.equal(examples.stuck[0].message_id, '<northwind.example-m1@fabrikam.example>');
  }
});

test('Data cut at 12 bytes (`XEXCH50 1020` of a 5-digit count) still pairs, by prefix', async () => {
  const result = await run(
    blockedDomain('northwind.example', '198.51.100.25', { firewall: { host: 'ISA2K-GW', offsetSeconds: 60, cutAt12: true }, firstBytes: 10204 }),
  );
  const f = only(result, 'northwind.example');
  assert.equal(f.counts.firewall_events, 9);
  assert.equal(result.firewallHosts[0].matched, 9);
  const matched = (f.evidence.examples as { matched: { event: { bytes: string }; attempt: { bytes: number } }[] }).matched;
  // Tries of message 0 (08:00, 08:10) and message 1 (08:07), in time order.
  assert.deepEqual(matched.map((m) => [m.event.bytes, m.attempt.bytes]), [['1020', 10204], ['1022', 10220], ['1020', 10204]]);
});

test('a skew beyond --skew is not matched; the firewall log then attributes the host', async () => {
  // 1000 s: the retries 600 s apart alias to 400 s and -200 s, where at most a third of the events pair.
  // The firewall log shows each connection (to the published server's internal address) as it
  // opens, on the host's clock; XEXCH50 follows a second later on the sender's.
  const tries = [0n, 10n, 20n, 7n, 17n, 27n, 14n, 24n, 34n].map((m) => at(m * MIN + 5n * SEC));
  const records = [
    ...blockedDomain('northwind.example', '198.51.100.25', { firewall: { host: 'ISA2K-GW', offsetSeconds: 1000 } }),
    ...tries.map((t) => firewallRow('ISA2K-GW', t + 1000n * SEC, '192.0.2.10', '10.0.0.25', 'Establish')),
  ];
  const result = await run(records, { skewSeconds: 300 });
  assert.equal(result.firewallHosts[0].method, 'firewall-log');
  assert.equal(result.firewallHosts[0].clockOffsetSeconds, null);
  assert.equal(only(result, 'northwind.example').counts.firewall_events, 9);
  const wider = await run(records, { skewSeconds: 1200 });
  assert.equal(wider.firewallHosts[0].method, 'matching');
  assert.ok(Math.abs((wider.firewallHosts[0].clockOffsetSeconds ?? 0) - 1000) <= 5);
});

test('one firewall host in front of two domains: events split by matching', async () => {
  const records = [
    ...blockedDomain('alpha.example', '198.51.100.25', { firewall: { host: 'ISA2K-GW', offsetSeconds: 143 }, messages: 3 }),
    ...blockedDomain('beta.example', '198.51.100.25', { firewall: { host: 'ISA2K-GW', offsetSeconds: 143 }, messages: 1, firstBytes: 2040 }),
  ];
  const result = await run(records);
  assert.equal(only(result, 'alpha.example').counts.firewall_events, 9);
  assert.equal(only(result, 'beta.example').counts.firewall_events, 3);
  assert.deepEqual(result.firewallHosts[0].domains, ['alpha.example', 'beta.example']);
  assert.ok(Math.abs((result.firewallHosts[0].clockOffsetSeconds ?? 0) - 143) <= 5);
});

test('only the firewall side: the map gives the domain, verdict at medium confidence, with a note', async () => {
  const records = blockedDomain('northwind.example', '198.51.100.25', { firewall: { host: 'ISA2K-GW', offsetSeconds: 60 }, sender: false });
  const result = await run(records, { firewallMap: new Map([['isa2k-gw', ['northwind.example']]]) });
  const f = only(result, 'northwind.example');
  assert.equal(f.verdict, 'xexch50-blocked');
  assert.equal(f.confidence, 'medium');
  assert.equal(f.counts.firewall_events, 9);
  assert.equal(f.counts.sent, 0);
  assert.equal(result.firewallHosts[0].method, 'map');
  assert.ok(result.notes.some((n) => n.startsWith('no sender-side logs')), result.notes.join('\n'));

  const unmapped = await run(records);
  assert.equal(unmapped.findings.length, 0);
  assert.equal(unmapped.firewallHosts[0].method, 'unattributed');
  assert.ok(unmapped.notes.some((n) => n.includes('could not be attributed') && n.includes('--firewall-map')), unmapped.notes.join('\n'));
});

test('only the sender side: verdict at medium confidence and the note says why', async () => {
  const result = await run(blockedDomain('cut.example', '198.51.100.13'));
  const f = only(result, 'cut.example');
  assert.equal(f.verdict, 'xexch50-blocked');
  assert.equal(f.confidence, 'medium');
  assert.ok(result.notes.includes('no firewall logs in the store: confidence capped at medium'));
});

test('SmtpEvt 20031 for another verb, or without Data, is never XEXCH50 evidence', async () => {
  const records = [
    ...acceptedDomain('tailspin.example', '203.0.113.41'),
    smtpEvt('ISA06-EDGE', at(3n * SEC), 'TURN'),
    smtpEvt('ISA06-EDGE', at(4n * SEC), null),
  ];
  const result = await run(records, { firewallMap: new Map([['isa06-edge', ['tailspin.example']]]) });
  const f = only(result, 'tailspin.example');
  assert.equal(f.verdict, 'healthy');
  assert.equal(f.counts.firewall_events, 0);
  assert.deepEqual(result.firewallHosts[0].otherVerbEvents, { TURN: 1 });
  assert.equal(result.firewallHosts[0].unknownVerbEvents, 1);
  assert.ok(result.notes.some((n) => n.includes('TURN ×1') && n.includes('not KB 818222 evidence')));
});

function mixedStore(firewallOffsetSeconds: number): StoredRecord[] {
  return [
    ...harmless504Domain('auth504.example', '198.51.100.7'),
    ...transientDomain('greylist.example', '198.51.100.9'),
    ...dnsDomain('nodns.example'),
    ...unreachableDomain('down.example', '198.51.100.10'),
    ...recipientRejectedDomain('strict.example', '198.51.100.11'),
    ...inspectionDomain('pix.example', '198.51.100.12'),
    ...blockedDomain('northwind.example', '198.51.100.25', { firewall: { host: 'ISA2K-GW', offsetSeconds: firewallOffsetSeconds } }),
  ];
}

test('clock skew up to ±5 minutes changes no verdict; the offset is estimated within ±5 s', async () => {
  const reference = await run(mixedStore(0));
  for (const offset of [-300, -150, 150, 300]) {
    const skewed = await run(mixedStore(offset));
    assert.deepEqual(
      skewed.findings.map((f) => [f.domain, f.verdict, f.confidence, f.counts]),
      reference.findings.map((f) => [f.domain, f.verdict, f.confidence, f.counts]),
      `offset ${offset} s`,
    );
    assert.ok(Math.abs((skewed.firewallHosts[0].clockOffsetSeconds ?? Infinity) - offset) <= 5, `offset ${offset} s`);
  }
});

test('a mixed store: every verdict, worst first, and the window ends at the latest evidence', async () => {
  const result = await run(mixedStore(-97));
  assert.deepEqual(
    result.findings.map((f) => [f.domain, f.verdict, f.confidence]),
    [
      ['northwind.example', 'xexch50-blocked', 'high'],
      ['nodns.example', 'dns-failure', 'high'],
      ['down.example', 'host-unreachable', 'high'],
      ['strict.example', 'recipient-rejected', 'high'],
      ['pix.example', 'smtp-inspection', 'high'],
      ['auth504.example', 'healthy', 'high'],
      ['greylist.example', 'healthy', 'high'],
    ],
  );
  // Latest evidence: the 5.4.0 NDR of nodns's second message, 48 h after 08:20.
  assert.equal(result.window.until, '2007-03-10T08:20:00.000Z');
  const nw = only(result, 'northwind.example');
  const messages = nw.evidence.messages as { oldest_stuck: string; oldest_stuck_age_seconds: number; ndr_by_code: Record<string, number> };
  assert.equal(messages.oldest_stuck, '2007-03-08T08:07:00.000Z');
  assert.equal(messages.oldest_stuck_age_seconds, 48 * 3600 + 13 * 60);
  assert.deepEqual(messages.ndr_by_code, { '4.4.7': 1 });
  assert.equal(nw.first_seen, '2007-03-08T07:58:29.000Z'); // the first firewall event (08:00:06 on a clock 97 s behind)
  // The time-outs carry no recipient: the SEND-log `*` line names their domain.
  const down = only(result, 'down.example').evidence.sessions as { count: number; no_connection: number };
  assert.deepEqual([down.count, down.no_connection], [3, 3]);
});

test('--since/--until bound the evidence; "now" is --until', async () => {
  const records = blockedDomain('cut.example', '198.51.100.13');
  const result = await run(records, { until: at(1n * HOUR) });
  const f = only(result, 'cut.example');
  assert.equal(result.window.until, '2007-03-08T09:00:00.000Z');
  assert.equal(f.counts.ndr, 0, 'the NDR is after --until');
  assert.equal(f.counts.undelivered, 3);
  assert.equal((f.evidence.messages as { oldest_stuck_age_seconds: number }).oldest_stuck_age_seconds, 3600);
  const later = await run(records, { since: at(10n * MIN) });
  const g = only(later, 'cut.example');
  assert.equal(g.counts.xexch50_attempts, 9 - 2, 'tries before 08:10 are outside the window');
});

test('--domain selects one domain; an unknown one gets a note', async () => {
  const records = [...dnsDomain('nodns.example'), ...transientDomain('greylist.example', '198.51.100.9')];
  const one = await run(records, { domain: 'NoDNS.example' });
  assert.deepEqual(one.findings.map((f) => f.domain), ['nodns.example']);
  const none = await run(records, { domain: 'absent.example' });
  assert.equal(none.findings.length, 0);
  assert.ok(none.notes.includes('no evidence for domain absent.example in the window'));
});

test('an empty store gives no finding and says why', async () => {
  const result = await run([]);
  assert.equal(result.findings.length, 0);
  assert.match(result.notes[0], /no mail or firewall evidence/);
  assert.deepEqual(result.window, { since: null, until: null });
});

test('stuck threshold: mail queued minutes before the end is undelivered but not stuck', async () => {
  const records = [...transientDomain('greylist.example', '198.51.100.9'), ...acceptedDomain('accepts.example', '198.51.100.8')];
  // A message queued 10 minutes before the latest evidence, not yet sent.
  records.push(track(at(16n * MIN), 'queued-remote', '<late@fabrikam.example>', 'late@greylist.example'));
  const result = await run(records);
  const f = only(result, 'greylist.example');
  assert.equal(f.counts.undelivered, 1);
  assert.equal(f.verdict, 'healthy');
  assert.equal((f.evidence.messages as { stuck_now: number }).stuck_now, 0);
  assert.equal(f.confidence, 'high');
});
