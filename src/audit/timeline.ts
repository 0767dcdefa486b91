// The numbers behind the report's charts, per affected domain: outbound attempts and XEXCH50
// blocks (SMTP protocol logs, else message tracking), NDRs (tracking), queue depth and the age of
// the oldest queued message (queue exports with snapshot times; else derived from tracking: the
// recipients handed to the outbound path and not yet delivered or NDR'd at the end of each
// bucket). Which event kinds and session outcomes count comes
// from the diagnosis rules, so the charts and the verdict cannot disagree on definitions. All
// domains are fetched with one query per source. The series are stored with the diagnosis they
// belong to (audit_timelines), for a re-run that reuses it.
import type { DuckDBConnection } from '@duckdb/node-api';
import { RULES } from '../analysis/rules.js';
import { inWindow, queryRows, windowParams, type Param, type Window } from '../analysis/sql.js';
import { jsonSafe } from '../render/findings-json.js';

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
  /** Where queue depth and oldest age come from, for the caption; null when from neither. */
  queueSource: 'queue exports' | 'message tracking' | null;
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

interface PairRow extends SourceRow {
  /** Delivered or NDR'd at (ns), null while waiting. */
  done: bigint | null;
}

interface SourceRow {
  domain: string;
  t: bigint;
  /** sessions: blocked (0/1); tracking: 1 for an attempt, 0 for an NDR; queues: message count. */
  n: number;
  /** queues: age of the oldest message in hours. */
  age?: number | null;
  /** queues: the exporting server ('' when the export does not name it). */
  server?: string;
}

const SESSIONS = `SELECT domain, t, n FROM (
    SELECT unnest(string_split(lower(recipient_domains), ',')) AS domain, epoch_ns(start_time) AS t,
           (list_contains($blockedOutcomes, xexch50_outcome) OR list_contains($blockedEnds, end_reason))::INTEGER AS n
      FROM smtp_sessions
     WHERE direction = 'outbound' AND start_time IS NOT NULL AND ${inWindow('start_time')})
  WHERE list_contains($domains, domain)`;

const TRACKING = `SELECT lower(trim(recipient_domain)) AS domain, epoch_ns(time) AS t,
         list_contains($attemptKinds, event_kind)::INTEGER AS n
    FROM tracking
   WHERE list_contains($domains, lower(trim(recipient_domain))) AND time IS NOT NULL AND ${inWindow('time')}
     AND (list_contains($attemptKinds, event_kind) OR list_contains($ndrKinds, event_kind))`;

const queueSql = (table: string, count: string, oldest: string) => `SELECT lower(trim(next_hop_domain)) AS domain, epoch_ns(snapshot_time) AS t,
         coalesce(server, '') AS server, ${count}::DOUBLE AS n, max(date_diff('second', ${oldest}, snapshot_time))::DOUBLE / 3600 AS age
    FROM ${table}
   WHERE list_contains($domains, lower(trim(next_hop_domain))) AND snapshot_time IS NOT NULL AND ${inWindow('snapshot_time')}
   GROUP BY ALL ORDER BY t`;

/** Recipient pairs: when they took the outbound path and when they were delivered or NDR'd. */
const PAIRS = `SELECT lower(trim(recipient_domain)) AS domain,
         epoch_ns(min(time) FILTER (WHERE list_contains($sentKinds, event_kind))) AS t,
         epoch_ns(min(time) FILTER (WHERE list_contains($finalKinds, event_kind))) AS done, 0 AS n
    FROM tracking
   WHERE list_contains($domains, lower(trim(recipient_domain))) AND recipient IS NOT NULL AND ${inWindow('time')}
   GROUP BY lower(trim(recipient_domain)), coalesce(message_id, internal_id), lower(trim(recipient))
  HAVING t IS NOT NULL`;

function byDomain<T extends { domain: string }>(rows: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const r of rows) map.set(r.domain, [...(map.get(r.domain) ?? []), r]);
  return map;
}

export async function domainTimelines(connection: DuckDBConnection, domains: string[], window: Window): Promise<DomainTimeline[]> {
  if (domains.length === 0) return [];
  const params: Record<string, Param> = {
    ...windowParams(window),
    domains: domains.map((d) => d.toLowerCase()),
    blockedOutcomes: RULES.sessions.xexch50BlockedOutcomes,
    blockedEnds: RULES.sessions.xexch50BlockedEndReasons,
    attemptKinds: RULES.tracking.attemptKinds,
    ndrKinds: RULES.tracking.ndrKinds,
    sentKinds: RULES.tracking.sentKinds,
    finalKinds: [...RULES.tracking.deliveredKinds, ...RULES.tracking.ndrKinds],
  };
  const query = async (sql: string) => byDomain(await queryRows<SourceRow>(connection, sql, params));
  const sessions = await query(SESSIONS);
  const tracking = await query(TRACKING);
  const snapshots = await query(queueSql('queue_snapshots', 'sum(message_count)', 'oldest_message_time'));
  const messages = await query(queueSql('queue_messages', 'count(*)', 'received_time'));
  const pairs = byDomain(await queryRows<PairRow>(connection, PAIRS, params));
  return domains.map((domain) => {
    const key = domain.toLowerCase();
    return buildTimeline(domain, {
      sessions: sessions.get(key) ?? [],
      tracking: tracking.get(key) ?? [],
      snapshots: snapshots.get(key) ?? [],
      messages: messages.get(key) ?? [],
      pairs: pairs.get(key) ?? [],
    });
  });
}

function buildTimeline(
  domain: string,
  src: { sessions: SourceRow[]; tracking: SourceRow[]; snapshots: SourceRow[]; messages: SourceRow[]; pairs: PairRow[] },
): DomainTimeline {
  const trackingAttempts = src.tracking.filter((r) => Number(r.n) === 1);
  const ndrs = src.tracking.filter((r) => Number(r.n) === 0);
  const attemptRows = src.sessions.length > 0 ? src.sessions : trackingAttempts;
  const times = [...attemptRows, ...ndrs, ...src.snapshots, ...src.messages, ...src.pairs].map((r) => BigInt(r.t));
  const first = times.length > 0 ? times.reduce((a, b) => (b < a ? b : a)) : 0n;
  const last = times.length > 0 ? times.reduce((a, b) => (b > a ? b : a)) : 0n;
  const bucketNs = bucketFor(last - first);
  const from = first - (((first % bucketNs) + bucketNs) % bucketNs);
  const count = times.length > 0 ? Number((last - from) / bucketNs) + 1 : 0;
  const histogram = (list: SourceRow[], weight: (r: SourceRow) => number) => {
    const out = new Array<number>(count).fill(0);
    for (const r of list) out[Number((BigInt(r.t) - from) / bucketNs)] += weight(r);
    return out;
  };
  return {
    domain,
    from,
    to: from + BigInt(count) * bucketNs,
    bucketNs,
    attemptsSource:
      src.sessions.length > 0 ? 'SMTP protocol log sessions' : trackingAttempts.length > 0 ? 'message-tracking transfer attempts' : null,
    attempts: histogram(attemptRows, () => 1),
    blocks: histogram(src.sessions, (r) => Number(r.n)),
    ndrs: histogram(ndrs, () => 1),
    ...queueSeries(src, from, bucketNs, count),
  };
}

function queueSeries(
  src: { snapshots: SourceRow[]; messages: SourceRow[]; pairs: PairRow[] },
  from: bigint,
  bucketNs: bigint,
  count: number,
): Pick<DomainTimeline, 'queueSource' | 'queueDepth' | 'oldestQueuedHours'> {
  if (src.snapshots.length + src.messages.length > 0) {
    return {
      queueSource: 'queue exports',
      // Snapshot and message exports describe the same queues: prefer the link totals when present.
      queueDepth: depthAcrossServers(src.snapshots.length > 0 ? src.snapshots : src.messages),
      oldestQueuedHours: oldestPerSnapshot([...src.snapshots, ...src.messages]),
    };
  }
  if (src.pairs.length === 0) return { queueSource: null, queueDepth: [], oldestQueuedHours: [] };
  const queueDepth: Point[] = [];
  const oldestQueuedHours: Point[] = [];
  for (let i = 1; i <= count; i++) {
    const at = from + BigInt(i) * bucketNs;
    const waiting = src.pairs.filter((p) => BigInt(p.t) <= at && (p.done === null || BigInt(p.done) > at));
    queueDepth.push({ t: at, v: waiting.length });
    const oldest = waiting.reduce<bigint | null>((min, p) => (min === null || BigInt(p.t) < min ? BigInt(p.t) : min), null);
    oldestQueuedHours.push({ t: at, v: oldest === null ? 0 : Number((at - oldest) / 1_000_000n) / 3_600_000 });
  }
  return { queueSource: 'message tracking', queueDepth, oldestQueuedHours };
}

/**
 * Depth at each snapshot time: the sum of every server's latest count. Servers export at different
 * minutes (08:30 and 08:35), so a plain per-time sum would alternate between their counts.
 */
function depthAcrossServers(rows: SourceRow[]): Point[] {
  const latest = new Map<string, number>();
  const depth = new Map<bigint, number>();
  for (const r of rows) {
    // the query orders rows by time
    latest.set(r.server ?? '', Number(r.n));
    depth.set(BigInt(r.t), [...latest.values()].reduce((a, b) => a + b, 0));
  }
  return [...depth].map(([t, v]) => ({ t, v }));
}

function oldestPerSnapshot(rows: SourceRow[]): Point[] {
  const byTime = new Map<bigint, number>();
  for (const r of rows) {
    if (r.age === null || r.age === undefined) continue;
    const t = BigInt(r.t);
    byTime.set(t, Math.max(byTime.get(t) ?? 0, Number(r.age)));
  }
  return [...byTime].map(([t, v]) => ({ t, v })).sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
}

/** The timelines as stored with their diagnosis (times as decimal strings: JSON has no bigint). */
export function timelinesToJson(timelines: DomainTimeline[]): string {
  return JSON.stringify(timelines, jsonSafe);
}

type StoredPoint = { t: string; v: number };
type StoredTimeline = Omit<DomainTimeline, 'from' | 'to' | 'bucketNs' | 'queueDepth' | 'oldestQueuedHours'> & {
  from: string;
  to: string;
  bucketNs: string;
  queueDepth: StoredPoint[];
  oldestQueuedHours: StoredPoint[];
};

export function timelinesFromJson(json: string): DomainTimeline[] {
  const points = (list: StoredPoint[]): Point[] => list.map((p) => ({ t: BigInt(p.t), v: p.v }));
  return (JSON.parse(json) as StoredTimeline[]).map((tl) => ({
    ...tl,
    from: BigInt(tl.from),
    to: BigInt(tl.to),
    bucketNs: BigInt(tl.bucketNs),
    queueDepth: points(tl.queueDepth),
    oldestQueuedHours: points(tl.oldestQueuedHours),
  }));
}
