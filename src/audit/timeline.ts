// The numbers behind the report's charts, per affected domain: outbound attempts and XEXCH50
// blocks (SMTP protocol logs, else message tracking), NDRs (tracking), queue depth and the age of
// the oldest queued message (queue exports). Which event kinds and session outcomes count comes
// from the diagnosis rules, so the charts and the verdict cannot disagree on definitions.
import type { DuckDBConnection } from '@duckdb/node-api';
import { RULES } from '../analysis/rules.js';
import { inWindow, queryRows, windowParams, type Param, type Window } from '../analysis/sql.js';

export interface Point {
  /** ns since the epoch, UTC. */
  t: bigint;
  v: number;
}

export interface DomainTimeline {
  domain: string;
  /** Start of the first bucket and end of the last, ns. */
  from: bigint;
  to: bigint;
  bucketNs: bigint;
  /** Where the attempt counts come from, for the chart caption; null when neither log has any. */
  attemptsSource: 'SMTP protocol log sessions' | 'message-tracking transfer attempts' | null;
  attempts: number[];
  blocks: number[];
  ndrs: number[];
  queueDepth: Point[];
  oldestQueuedHours: Point[];
}

const NICE_BUCKETS_SECONDS = [60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400];
const TARGET_BUCKETS = 48;
const SECOND = 1_000_000_000n;

function bucketFor(spanNs: bigint): bigint {
  const wanted = Number(spanNs / SECOND) / TARGET_BUCKETS;
  const seconds = NICE_BUCKETS_SECONDS.find((s) => s >= wanted) ?? NICE_BUCKETS_SECONDS[NICE_BUCKETS_SECONDS.length - 1];
  return BigInt(seconds) * SECOND;
}

interface TimedRow {
  t: bigint;
  n: number;
  [key: string]: unknown;
}

const SESSIONS_TO_DOMAIN = `FROM smtp_sessions
  WHERE direction = 'outbound' AND list_contains(string_split(lower(recipient_domains), ','), $domain) AND ${inWindow('start_time')}`;
const BLOCKED = `(list_contains($blockedOutcomes, xexch50_outcome) OR list_contains($blockedEnds, end_reason))`;
const TRACKING_TO_DOMAIN = `FROM tracking WHERE lower(trim(recipient_domain)) = $domain AND ${inWindow('time')}`;

export async function domainTimeline(connection: DuckDBConnection, domain: string, window: Window): Promise<DomainTimeline> {
  const params: Record<string, Param> = {
    ...windowParams(window),
    domain: domain.toLowerCase(),
    blockedOutcomes: RULES.sessions.xexch50BlockedOutcomes,
    blockedEnds: RULES.sessions.xexch50BlockedEndReasons,
    attemptKinds: RULES.tracking.attemptKinds,
    ndrKinds: RULES.tracking.ndrKinds,
  };
  const rows = (sql: string) => queryRows<TimedRow>(connection, sql, params);
  const sessions = await rows(
    `SELECT epoch_ns(start_time) AS t, (${BLOCKED})::INTEGER AS blocked, 1 AS n ${SESSIONS_TO_DOMAIN} AND start_time IS NOT NULL`,
  );
  const trackingAttempts =
    sessions.length > 0
      ? []
      : await rows(`SELECT epoch_ns(time) AS t, 1 AS n ${TRACKING_TO_DOMAIN} AND list_contains($attemptKinds, event_kind)`);
  const ndrs = await rows(`SELECT epoch_ns(time) AS t, 1 AS n ${TRACKING_TO_DOMAIN} AND list_contains($ndrKinds, event_kind)`);
  const queue = await rows(
    `SELECT epoch_ns(snapshot_time) AS t, sum(message_count)::DOUBLE AS n,
            max(date_diff('second', oldest_message_time, snapshot_time))::DOUBLE / 3600 AS age
       FROM queue_snapshots WHERE lower(trim(next_hop_domain)) = $domain AND snapshot_time IS NOT NULL AND ${inWindow('snapshot_time')}
      GROUP BY snapshot_time ORDER BY snapshot_time`,
  );
  const messages = await rows(
    `SELECT epoch_ns(snapshot_time) AS t, count(*)::DOUBLE AS n,
            max(date_diff('second', received_time, snapshot_time))::DOUBLE / 3600 AS age
       FROM queue_messages WHERE lower(trim(next_hop_domain)) = $domain AND snapshot_time IS NOT NULL AND ${inWindow('snapshot_time')}
      GROUP BY snapshot_time ORDER BY snapshot_time`,
  );
  const attemptRows = sessions.length > 0 ? sessions : trackingAttempts;
  const times = [...attemptRows, ...ndrs, ...queue, ...messages].map((r) => BigInt(r.t));
  const first = times.length > 0 ? times.reduce((a, b) => (b < a ? b : a)) : 0n;
  const last = times.length > 0 ? times.reduce((a, b) => (b > a ? b : a)) : 0n;
  const bucketNs = bucketFor(last - first);
  const from = first - (((first % bucketNs) + bucketNs) % bucketNs);
  const count = Number((last - from) / bucketNs) + 1;
  const histogram = (list: TimedRow[], weight: (r: TimedRow) => number) => {
    const out = new Array<number>(times.length > 0 ? count : 0).fill(0);
    for (const r of list) out[Number((BigInt(r.t) - from) / bucketNs)] += weight(r);
    return out;
  };
  return {
    domain,
    from,
    to: from + BigInt(count) * bucketNs,
    bucketNs,
    attemptsSource: sessions.length > 0 ? 'SMTP protocol log sessions' : trackingAttempts.length > 0 ? 'message-tracking transfer attempts' : null,
    attempts: histogram(attemptRows, () => 1),
    blocks: histogram(sessions, (r) => Number(r.blocked)),
    ndrs: histogram(ndrs, () => 1),
    // Snapshot and message exports describe the same queues: prefer the link totals when present.
    queueDepth: (queue.length > 0 ? queue : messages).map((r) => ({ t: BigInt(r.t), v: Number(r.n) })),
    oldestQueuedHours: oldestPerSnapshot([...queue, ...messages]),
  };
}

function oldestPerSnapshot(rows: TimedRow[]): Point[] {
  const byTime = new Map<bigint, number>();
  for (const r of rows) {
    if (r.age === null) continue;
    const t = BigInt(r.t);
    byTime.set(t, Math.max(byTime.get(t) ?? 0, Number(r.age)));
  }
  return [...byTime].map(([t, v]) => ({ t, v })).sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
}
