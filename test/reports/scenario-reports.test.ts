// The canned diagnosis reports on the bundled scenario, checked against its ground-truth.json and
// against other tables of the same store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/store/store.js';
import { ingestPaths } from '../../src/store/ingest.js';
import { runSql } from '../../src/store/sql.js';
import { parseZone } from '../../src/util/timezone.js';
import type { DomainCounts } from '../../src/analysis/findings.js';
import { REPO, tempDir } from '../helpers/cli.js';
import { report } from './helpers.js';

const SCENARIO = join(REPO, 'fixtures/scenario');
const truth = JSON.parse(readFileSync(join(SCENARIO, 'ground-truth.json'), 'utf8')) as {
  domains: Record<string, { verdict: string; counts: DomainCounts }>;
  firewall_hosts: Record<string, { domains: string[] }>;
  lookalikes: Record<string, string>;
};
const lookalike = (name: string): string => truth.lookalikes[name];
const domainsWhere = (pred: (d: { verdict: string; counts: DomainCounts }) => boolean): string[] =>
  Object.entries(truth.domains).filter(([, d]) => pred(d)).map(([n]) => n).sort();

let store: Store;

before(async () => {
  store = await openStore(join(tempDir('edgelog-reports-'), 'scenario.duckdb'));
  await ingestPaths(store, [SCENARIO], { tz: parseZone('America/New_York') });
});

after(async () => {
  await store.close();
});

const n = (v: unknown): number => Number(v);

test('domain-summary equals the ground-truth counts of every domain that had mail', async () => {
  const { rows } = await report(store, 'domain-summary');
  assert.deepEqual(rows.map((r) => r.domain).sort(), domainsWhere((d) => d.counts.sent > 0));
  for (const r of rows) {
    const c = truth.domains[r.domain as string].counts;
    assert.deepEqual(
      [n(r.sent), n(r.delivered), n(r.ndr), n(r.undelivered), n(r.xexch50_attempts), n(r.xexch50_failures), n(r.firewall_xexch50_events)],
      [c.sent, c.delivered, c.ndr, c.undelivered, c.xexch50_attempts, c.xexch50_blocked, c.firewall_events],
      r.domain as string,
    );
  }
  const greylist = rows.find((r) => r.domain === lookalike('transient-4xx-then-delivered'))!;
  assert.ok(n(greylist.deferred) > 0 && n(greylist.deferred) <= n(greylist.delivered));
});

test('stuck-messages lists exactly the undelivered recipients', async () => {
  const { rows } = await report(store, 'stuck-messages', { min_age_minutes: '0' });
  const perDomain = new Map<string, number>();
  for (const r of rows) perDomain.set(r.domain as string, (perDomain.get(r.domain as string) ?? 0) + 1);
  const expected = domainsWhere((d) => d.counts.undelivered > 0).map((d) => [d, truth.domains[d].counts.undelivered]);
  assert.deepEqual([...perDomain].sort(), expected);
  const queued = rows.map((r) => r.queued as string);
  assert.deepEqual(queued, [...queued].sort(), 'oldest first');
});

test('ndr-by-domain: NDRs add up to the ground truth, with the look-alikes\' status codes', async () => {
  const { rows } = await report(store, 'ndr-by-domain');
  const perDomain = new Map<string, number>();
  for (const r of rows) perDomain.set(r.domain as string, (perDomain.get(r.domain as string) ?? 0) + n(r.recipients));
  assert.deepEqual([...perDomain].sort(), domainsWhere((d) => d.counts.ndr > 0).map((d) => [d, truth.domains[d].counts.ndr]));
  const codes = (domain: string) => new Set(rows.filter((r) => r.domain === domain).map((r) => r.status_code));
  assert.ok(codes(lookalike('dns-failure-5.4.0')).has('5.4.0'));
  assert.ok(codes(lookalike('recipient-rejected-5.1.1')).has('5.1.1'));
  assert.ok(codes(lookalike('host-unreachable-4.4.7')).has('4.4.7'));
});

test('xexch50-sessions: one session per blocked attempt where every attempt was cut', async () => {
  const cutOnly = domainsWhere((d) => d.counts.xexch50_blocked > 0 && d.counts.xexch50_blocked === d.counts.xexch50_attempts);
  assert.ok(cutOnly.length >= 2);
  for (const domain of cutOnly) {
    const { rows } = await report(store, 'xexch50-sessions', { domain });
    assert.equal(rows.length, truth.domains[domain].counts.xexch50_attempts, domain);
    assert.ok(rows.every((r) => r.xexch50_reply_code === 354 && r.xexch50_outcome !== 'accepted'), domain);
  }
  const harmless = await report(store, 'xexch50-sessions', { domain: lookalike('xexch50-504-need-to-authenticate') });
  assert.ok(harmless.rows.length > 0);
  assert.ok(harmless.rows.every((r) => r.xexch50_outcome === 'refused-504' && r.xexch50_reply_text === '504 Need to authenticate first'));
});

test('firewall-smtp-blocks: XEXCH50 events per host equal the attributed events; the TURN event stands apart', async () => {
  const { rows } = await report(store, 'firewall-smtp-blocks');
  for (const [host, h] of Object.entries(truth.firewall_hosts)) {
    const row = rows.find((r) => r.host === host && r.verb === 'XEXCH50');
    assert.equal(n(row?.events), h.domains.reduce((sum, d) => sum + truth.domains[d].counts.firewall_events, 0), host);
  }
  const other = rows.filter((r) => r.verb !== 'XEXCH50');
  assert.deepEqual(other.map((r) => [r.host, r.event_id, r.verb, r.events]), [['ISA06-EDGE', 20031, 'TURN', '1']]);
});

test('queue-retry: the blocked and unreachable domains\' queues are seen in Retry', async () => {
  const { rows } = await report(store, 'queue-retry');
  const inRetry = new Set(rows.map((r) => r.domain as string));
  for (const d of domainsWhere((x) => ['xexch50-blocked', 'host-unreachable'].includes(x.verdict))) assert.ok(inRetry.has(d), d);
  for (const r of rows) assert.ok(n(r.retry_snapshots) > 0 && n(r.retry_snapshots) <= n(r.snapshots), r.domain as string);
  const hub = rows.find((r) => r.server === 'HUB01' && r.domain === lookalike('host-unreachable-4.4.7'))!;
  assert.match(hub.latest_error as string, /Unable to connect/);
  // A domain the sender never tried to reach (DNS failure: NDR'd at once) never waits in Retry.
  assert.ok(!inRetry.has(lookalike('dns-failure-5.4.0')));
});

test('smtp-errors: RCPT rejections and refused EHLOs per remote address, as the sessions record them', async () => {
  const { rows } = await report(store, 'smtp-errors', { direction: 'outbound' });
  const rejected = lookalike('recipient-rejected-5.1.1');
  const expected = await runSql(
    store.connection,
    `SELECT s.remote_ip, count(*) AS n FROM smtp_sessions s JOIN smtp_session_recipients r USING (file_id, seq)
      WHERE s.direction = 'outbound' AND r.domain = $d AND r.reply_code = 550 GROUP BY ALL ORDER BY 1`,
    { d: rejected },
  );
  assert.ok(expected.rows.length > 0);
  for (const e of expected.rows) {
    const row = rows.find((r) => r.remote_ip === e.remote_ip && r.reply_code === 550 && r.command === 'RCPT');
    assert.equal(row?.replies, e.n, `${rejected} ${e.remote_ip}`);
    assert.match(row?.example_reply as string, /5\.1\.1/);
  }
  const fixup = lookalike('smtp-fixup-ehlo-masked');
  const refused = await runSql(
    store.connection,
    `SELECT count(*) AS n FROM smtp_sessions WHERE direction = 'outbound' AND ehlo_refused AND recipient_domains = $d`,
    { d: fixup },
  );
  const ehlo = rows.filter((r) => r.reply_code === 500 && r.command === 'EHLO');
  assert.equal(ehlo.reduce((s, r) => s + n(r.replies), 0), n(refused.rows[0].n));
});

test('isa-denied-smtp: the sender\'s connections cut by ISA06-EDGE, one per firewall event', async () => {
  const { rows } = await report(store, 'isa-denied-smtp', { host: 'ISA06-EDGE' });
  const fromSender = rows.filter((r) => r.source_ip === '192.0.2.10');
  assert.deepEqual(fromSender.map((r) => [r.action, r.result_code, r.dest_port]), [['terminate', '0x80074e21', 25]]);
  const blockedHere = truth.firewall_hosts['ISA06-EDGE'].domains.reduce((s, d) => s + truth.domains[d].counts.firewall_events, 0);
  assert.equal(n(fromSender[0].connections), blockedHere);
});

test('domain-timeline: the DNS look-alike shows tracking rows only, its NDRs among them', async () => {
  const domain = lookalike('dns-failure-5.4.0');
  const { rows } = await report(store, 'domain-timeline', { domain });
  assert.deepEqual([...new Set(rows.map((r) => r.source))], ['tracking']);
  const ndrs = rows.filter((r) => /^(ndr|failed) /.test(r.what as string));
  assert.equal(ndrs.length, truth.domains[domain].counts.ndr);
  const times = rows.map((r) => r.time as string);
  assert.deepEqual(times, [...times].sort());
});

test('event-id-gaps: the generated event logs lost no record', async () => {
  const { rows } = await report(store, 'event-id-gaps');
  assert.deepEqual(rows, []);
  const counts = await runSql(store.connection, 'SELECT computer, count(*) AS n, max(record_id) - min(record_id) + 1 AS span FROM events GROUP BY 1 ORDER BY 1');
  for (const c of counts.rows) assert.equal(c.n, c.span, `${c.computer}: record ids are contiguous`);
});
