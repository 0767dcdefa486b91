// The chart series from a small store: ~48 buckets of a round length from the first to the last event, sessions
// counted as attempts (blocked ones as blocks), NDRs from tracking, queue depth and oldest-message
// age per snapshot (largest of link and message exports).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { domainTimelines } from '../../src/audit/timeline.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../helpers/cli.js';
import { blockedSession, delivered, loadInto, record, t, trackingMessage } from './small-store.js';

test('per-domain series in 5-minute buckets over a 3 h 20 min span', async () => {
  const db = join(tempDir(), 'tl.duckdb');
  const okSession = (key: string, at: string, domains: string) => record('smtp_sessions', { session_key: key, direction: 'outbound', start_time: t(at), recipient_domains: domains, xexch50_outcome: 'accepted', end_reason: 'quit' });
  await loadInto(db, 'x', [
    blockedSession('S1', 'blocked.example', '2026-10-01T08:10:00Z'),
    blockedSession('S2', 'blocked.example', '2026-10-01T08:50:00Z'),
    okSession('S3', '2026-10-01T10:05:00Z', 'other.example,blocked.example'),
    okSession('S4', '2026-10-01T09:00:00Z', 'other.example'),
    record('tracking', { time: t('2026-10-01T11:30:00Z'), event_kind: 'ndr', recipient_domain: 'Blocked.Example ', message_id: 'm1' }),
    record('tracking', { time: t('2026-10-01T11:31:00Z'), event_kind: 'delivered', recipient_domain: 'blocked.example', message_id: 'm2' }),
    record('queue_snapshots', { snapshot_time: t('2026-10-01T09:30:00Z'), next_hop_domain: 'blocked.example', message_count: 2, oldest_message_time: t('2026-10-01T08:00:00Z') }),
    record('queue_snapshots', { snapshot_time: t('2026-10-01T09:30:00Z'), next_hop_domain: 'blocked.example', message_count: 1, oldest_message_time: t('2026-10-01T09:00:00Z') }),
    record('queue_messages', { snapshot_time: t('2026-10-01T09:30:00Z'), next_hop_domain: 'blocked.example', received_time: t('2026-10-01T06:30:00Z') }),
    record('queue_messages', { snapshot_time: t('2026-10-01T11:00:00Z'), next_hop_domain: 'blocked.example', received_time: t('2026-10-01T10:00:00Z') }),
  ]);
  const store = await openStore(db, { readOnly: true });
  try {
    const [blocked, quiet] = await domainTimelines(store.connection, ['blocked.example', 'quiet.example'], { since: null, until: null });
    assert.equal(blocked.bucketNs, 300n * 1_000_000_000n);
    assert.equal(blocked.from, t('2026-10-01T08:10:00Z'));
    assert.equal(blocked.attempts.length, 41);
    assert.equal(blocked.attempts.reduce((a, b) => a + b), 3);
    assert.equal(blocked.attempts[0], 1);
    assert.equal(blocked.attempts[8], 1);
    assert.equal(blocked.attempts[23], 1);
    assert.deepEqual(blocked.blocks.map((v, i) => (v > 0 ? i : -1)).filter((i) => i >= 0), [0, 8]);
    assert.deepEqual(blocked.ndrs.map((v, i) => (v > 0 ? i : -1)).filter((i) => i >= 0), [40]);
    assert.equal(blocked.attemptsSource, 'SMTP protocol log sessions');
    assert.deepEqual(blocked.queueDepth, [{ t: t('2026-10-01T09:30:00Z'), v: 3 }]);
    assert.deepEqual(blocked.oldestQueuedHours, [
      { t: t('2026-10-01T09:30:00Z'), v: 3 },
      { t: t('2026-10-01T11:00:00Z'), v: 1 },
    ]);
    assert.equal(blocked.to - blocked.from, 41n * 300n * 1_000_000_000n);
    assert.deepEqual([quiet.attempts, quiet.ndrs, quiet.queueDepth, quiet.attemptsSource], [[], [], [], null]);
  } finally {
    await store.close();
  }
});

test('without timed queue exports, queue depth and oldest age come from the tracking pairs still waiting', async () => {
  const db = join(tempDir(), 'tl2.duckdb');
  await loadInto(db, 'x', [
    trackingMessage('<a@x>', 'ann@track.example', '2026-10-01T00:00:00Z'),
    trackingMessage('<b@x>', 'bob@track.example', '2026-10-01T12:00:00Z'),
    delivered('<a@x>', 'ann@track.example', '2026-10-01T18:30:00Z'),
    record('tracking', { time: t('2026-10-02T00:00:00Z'), event_kind: 'ndr', message_id: '<b@x>', recipient: 'bob@track.example', recipient_domain: 'track.example' }),
    record('queue_snapshots', { snapshot_time: null, next_hop_domain: 'track.example', message_count: 7 }),
  ]);
  const store = await openStore(db, { readOnly: true });
  try {
    const [tl] = await domainTimelines(store.connection, ['track.example'], { since: null, until: null });
    assert.equal(tl.bucketNs, 1_800n * 1_000_000_000n);
    assert.equal(tl.queueSource, 'message tracking');
    assert.equal(tl.queueDepth.length, 49);
    const at = (iso: string) => tl.queueDepth.findIndex((p) => p.t === t(iso));
    assert.deepEqual(tl.queueDepth[at('2026-10-01T01:00:00Z')], { t: t('2026-10-01T01:00:00Z'), v: 1 });
    assert.deepEqual(tl.queueDepth[at('2026-10-01T12:00:00Z')], { t: t('2026-10-01T12:00:00Z'), v: 2 });
    assert.deepEqual(tl.queueDepth[at('2026-10-01T19:00:00Z')], { t: t('2026-10-01T19:00:00Z'), v: 1 });
    assert.deepEqual(tl.queueDepth[at('2026-10-02T00:30:00Z')], { t: t('2026-10-02T00:30:00Z'), v: 0 });
    assert.deepEqual(tl.oldestQueuedHours[at('2026-10-01T18:00:00Z')], { t: t('2026-10-01T18:00:00Z'), v: 18 });
    assert.deepEqual(tl.oldestQueuedHours[at('2026-10-01T19:00:00Z')], { t: t('2026-10-01T19:00:00Z'), v: 7 });
    assert.deepEqual(tl.ndrs.reduce((a, b) => a + b), 1);
  } finally {
    await store.close();
  }
});

test('queue depth over servers that export at different minutes: each server counts with its latest snapshot', async () => {
  const db = join(tempDir(), 'tl3.duckdb');
  const snapshot = (server: string, at: string, count: number) =>
    record('queue_snapshots', { snapshot_time: t(at), server, next_hop_domain: 'two.example', message_count: count });
  await loadInto(db, 'x', [
    snapshot('EXCH01', '2026-10-01T08:30:00Z', 4),
    snapshot('HUB01', '2026-10-01T08:35:00Z', 1),
    snapshot('EXCH01', '2026-10-01T16:30:00Z', 6),
    snapshot('HUB01', '2026-10-01T16:35:00Z', 0),
  ]);
  const store = await openStore(db, { readOnly: true });
  try {
    const [tl] = await domainTimelines(store.connection, ['two.example'], { since: null, until: null });
    assert.equal(tl.queueSource, 'queue exports');
    assert.deepEqual(tl.queueDepth, [
      { t: t('2026-10-01T08:30:00Z'), v: 4 },
      { t: t('2026-10-01T08:35:00Z'), v: 5 },
      { t: t('2026-10-01T16:30:00Z'), v: 7 },
      { t: t('2026-10-01T16:35:00Z'), v: 6 },
    ]);
  } finally {
    await store.close();
  }
});
