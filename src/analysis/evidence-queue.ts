// Queue exports, per next-hop domain: how often the link was seen in Retry, and what the latest
// snapshot of each server's queue says (messages waiting, oldest message, last error). The latest
// is the one with the newest snapshot time (taken from the export's file name); exports whose name
// carries no time have none, and among those the last ingested file counts as the latest.
import type { DuckDBConnection } from '@duckdb/node-api';
import { RULES } from './rules.js';
import { inWindow, queryRows, windowParams, type Window } from './sql.js';
import { queueStatsSelect } from './derived/queue-stats.js';

export interface QueueExample {
  snapshot_time: bigint | null;
  server: string | null;
  queue: string | null;
  state: string | null;
  message_count: number | null;
  last_error: string | null;
}

export interface QueueEvidence {
  snapshots: number;
  retrySnapshots: number;
  /** Messages waiting in the latest snapshot of each server's queue for the domain. */
  latestMessages: number;
  latestStates: string[];
  oldestMessage: bigint | null;
  lastErrors: Record<string, number>;
  /** Messages listed by message exports (Get-Message) in the latest snapshot. */
  listedMessages: number;
  maxRetryCount: number | null;
  first: bigint | null;
  last: bigint | null;
  examples: QueueExample[];
}

export async function queueEvidence(connection: DuckDBConnection, window: Window): Promise<Map<string, QueueEvidence>> {
  const params = windowParams(window);
  const sums = window.since === null && window.until === null ? 'queue_stats' : `(${queueStatsSelect((q) => inWindow(`${q}.snapshot_time`))})`;
  const stats = await queryRows<{
    domain: string;
    snapshots: number;
    retry: number;
    first_ns: bigint | null;
    last_ns: bigint | null;
  }>(
    connection,
    `SELECT domain, sum(snapshots)::INTEGER AS snapshots, sum(retry)::INTEGER AS retry,
            epoch_ns(min(first_time)) AS first_ns, epoch_ns(max(last_time)) AS last_ns
       FROM ${sums} WHERE domain IS NOT NULL GROUP BY domain`,
    params,
  );
  const latest = await queryRows<QueueExample & { domain: string; oldest_ns: bigint | null }>(
    connection,
    `SELECT domain, server, queue, latest.* FROM (
       SELECT domain, server, queue, arg_max_null(latest, recency) AS latest FROM ${sums} WHERE domain IS NOT NULL GROUP BY ALL)
     ORDER BY domain, server, queue`,
    params,
  );
  const messages = await queryRows<{ domain: string; n: number; max_retry: number | null; oldest_ns: bigint | null }>(
    connection,
    `SELECT domain, count(*)::INTEGER AS n, max(retry_count)::INTEGER AS max_retry,
            epoch_ns(min(received_time)) AS oldest_ns
       FROM (SELECT *, lower(trim(next_hop_domain)) AS domain FROM queue_messages
              WHERE ${inWindow('snapshot_time')} AND next_hop_domain IS NOT NULL
             QUALIFY dense_rank() OVER (PARTITION BY server ORDER BY snapshot_time DESC NULLS LAST, file_id DESC) = 1)
      GROUP BY domain`,
    params,
  );

  const result = new Map<string, QueueEvidence>();
  const entry = (domain: string): QueueEvidence => {
    let e = result.get(domain);
    if (!e) {
      e = {
        snapshots: 0,
        retrySnapshots: 0,
        latestMessages: 0,
        latestStates: [],
        oldestMessage: null,
        lastErrors: {},
        listedMessages: 0,
        maxRetryCount: null,
        first: null,
        last: null,
        examples: [],
      };
      result.set(domain, e);
    }
    return e;
  };
  const earliest = (a: bigint | null, b: bigint | null): bigint | null => (a === null ? b : b === null ? a : a < b ? a : b);
  for (const s of stats) {
    Object.assign(entry(s.domain), { snapshots: s.snapshots, retrySnapshots: s.retry, first: s.first_ns, last: s.last_ns });
  }
  for (const l of latest) {
    const e = entry(l.domain);
    const count = l.message_count === null ? 0 : Number(l.message_count);
    e.latestMessages += count;
    if (l.state && !e.latestStates.includes(l.state)) e.latestStates.push(l.state);
    if (count > 0) e.oldestMessage = earliest(e.oldestMessage, l.oldest_ns);
    if (l.last_error) e.lastErrors[l.last_error] = (e.lastErrors[l.last_error] ?? 0) + 1;
    if (e.examples.length < RULES.examples.perKind) {
      e.examples.push({
        snapshot_time: l.snapshot_time,
        server: l.server,
        queue: l.queue,
        state: l.state,
        message_count: l.message_count === null ? null : count,
        last_error: l.last_error,
      });
    }
  }
  for (const m of messages) {
    const e = entry(m.domain);
    e.listedMessages = m.n;
    e.maxRetryCount = m.max_retry;
    e.oldestMessage = earliest(e.oldestMessage, m.oldest_ns);
  }
  return result;
}
