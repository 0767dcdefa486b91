// Queue snapshots summed per file, next-hop domain, server and queue: how often each was seen and
// in Retry, when, its peak, and its latest snapshot (the newest snapshot time; among exports named
// without a time, the last loaded).
import { RULES } from '../rules.js';
import { literalList, type Scope } from './sql-text.js';

const retry = `lower(state) IN ${literalList(RULES.queue.retryStates)}`;

export function queueStatsSelect(scope: Scope): string {
  return `SELECT file_id, domain, server, coalesce(queue_name, link_name) AS queue,
         count(*)::INTEGER AS snapshots,
         count(*) FILTER (WHERE ${retry})::INTEGER AS retry,
         min(snapshot_time) AS first_time,
         max(snapshot_time) AS last_time,
         min(snapshot_time) FILTER (WHERE ${retry}) AS first_retry,
         max(snapshot_time) FILTER (WHERE ${retry}) AS last_retry,
         max(message_count) AS peak_messages,
         min(oldest_message_time) AS oldest_message,
         max(recency) AS recency,
         arg_max_null({'snapshot_time': epoch_ns(snapshot_time), 'state': state, 'message_count': message_count,
                       'last_error': last_error, 'oldest_ns': epoch_ns(oldest_message_time)}, recency) AS latest
    FROM (SELECT *, lower(trim(coalesce(next_hop_domain, link_name, queue_name))) AS domain,
                 {'time': coalesce(snapshot_time, '-infinity'::TIMESTAMP), 'file_id': file_id, 'seq': seq} AS recency
            FROM queue_snapshots q WHERE ${scope('q')})
   GROUP BY ALL`;
}
