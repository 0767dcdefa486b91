// Message tracking, per remote domain. Mail counts are per (message, recipient) pair, as the
// tracking log writes them: a pair is "sent" when it was queued for remote delivery, "delivered"
// when a transfer to the remote host succeeded, "ndr" when it ended in a non-delivery report;
// sent but neither is still undelivered at the end of the evidence ("stuck" once older than the
// threshold). A domain is remote when any of its pairs took a step of the outbound path.
import type { DuckDBConnection } from '@duckdb/node-api';
import { RULES } from './rules.js';
import { inWindow, queryRows, windowParams, type Window } from './sql.js';

export interface TrackingExample {
  time: bigint;
  message_id: string | null;
  recipient: string;
  status: string | null;
}

export interface TrackingEvidence {
  sent: number;
  delivered: number;
  ndr: number;
  undelivered: number;
  stuck: number;
  /** Pairs that saw at least one deferral (retry) event. */
  deferredRecipients: number;
  /** Pairs with a deferral that were delivered in the end. */
  deferredThenDelivered: number;
  deferEvents: number;
  transferAttempts: number;
  ndrByCode: Record<string, number>;
  /** Last status text of the undelivered pairs, with counts (queue errors as tracking logs them). */
  pendingStatuses: Record<string, number>;
  oldestStuck: bigint | null;
  first: bigint | null;
  last: bigint | null;
  stuckExamples: TrackingExample[];
  ndrExamples: TrackingExample[];
}

/** The (message, recipient) pairs of the window (src/analysis/derived/mail.ts). */
const PAIRS = 'mail_pairs_in($since, $until)';
const REMOTE = `(SELECT domain FROM ${PAIRS} GROUP BY domain HAVING bool_or(remote))`;

export interface TrackingFacts {
  byDomain: Map<string, TrackingEvidence>;
  /**
   * Remote domains seen as senders of inbound mail (tracking senders, inbound SMTP MAIL FROM), with
   * their message counts: a domain may only ever send to us. Local domains (recipient domains
   * that never took an outbound step) are left out.
   */
  inboundSenders: Map<string, number>;
}

export async function trackingEvidence(connection: DuckDBConnection, window: Window, now: bigint): Promise<TrackingFacts> {
  const pending = 'sent AND NOT delivered AND NOT ndr';
  const remote = `domain IN ${REMOTE}`;
  const stuck = `${pending} AND first_time <= $stuckBefore`;
  const params = { ...windowParams(window), stuckBefore: { timestampNs: now - BigInt(RULES.stuck.afterSeconds) * 1_000_000_000n } };
  const stats = await queryRows<{
    domain: string;
    sent: number;
    delivered: number;
    ndr: number;
    undelivered: number;
    stuck: number;
    deferred: number;
    deferred_delivered: number;
    defer_events: number;
    attempts: number;
    oldest_stuck: bigint | null;
    first_ns: bigint | null;
    last_ns: bigint | null;
  }>(
    connection,
    `SELECT domain,
            count(*) FILTER (WHERE sent)::INTEGER AS sent,
            count(*) FILTER (WHERE delivered)::INTEGER AS delivered,
            count(*) FILTER (WHERE ndr)::INTEGER AS ndr,
            count(*) FILTER (WHERE ${pending})::INTEGER AS undelivered,
            count(*) FILTER (WHERE ${stuck})::INTEGER AS stuck,
            count(*) FILTER (WHERE defers > 0)::INTEGER AS deferred,
            count(*) FILTER (WHERE defers > 0 AND delivered)::INTEGER AS deferred_delivered,
            sum(defers)::INTEGER AS defer_events,
            sum(attempts)::INTEGER AS attempts,
            epoch_ns(min(first_time) FILTER (WHERE ${stuck})) AS oldest_stuck,
            epoch_ns(min(first_time)) AS first_ns,
            epoch_ns(max(last_time)) AS last_ns
       FROM ${PAIRS} WHERE ${remote} GROUP BY domain`,
    params,
  );
  const ndrCodes = await queryRows<{ domain: string; code: string; n: number }>(
    connection,
    `SELECT domain, coalesce(ndr_code, '(none)') AS code, count(*)::INTEGER AS n
       FROM ${PAIRS} WHERE ${remote} AND ndr GROUP BY ALL ORDER BY domain, n DESC, code`,
    params,
  );
  const statuses = await queryRows<{ domain: string; status: string; n: number }>(
    connection,
    `SELECT domain, last_status AS status, count(*)::INTEGER AS n
       FROM ${PAIRS} WHERE ${remote} AND ${pending} AND last_status IS NOT NULL
      GROUP BY ALL ORDER BY domain, n DESC, status`,
    params,
  );
  const examples = await queryRows<{
    domain: string;
    kind: 'stuck' | 'ndr';
    first_ns: bigint;
    message_id: string | null;
    recipient: string;
    status: string | null;
  }>(
    connection,
    `SELECT domain, kind, epoch_ns(first_time) AS first_ns, message_id, recipient, status FROM (
       SELECT domain, CASE WHEN ndr THEN 'ndr' ELSE 'stuck' END AS kind, first_time, message_id, recipient,
              CASE WHEN ndr THEN coalesce(ndr_code, last_status) ELSE last_status END AS status
         FROM ${PAIRS}
        WHERE ${remote} AND (ndr OR (${stuck})))
     QUALIFY row_number() OVER (PARTITION BY domain, kind ORDER BY first_time, message_id, recipient) <= $perKind
     ORDER BY domain, kind, first_time, message_id, recipient`,
    { ...params, perKind: RULES.examples.perKind },
  );

  const result = new Map<string, TrackingEvidence>();
  for (const s of stats) {
    result.set(s.domain, {
      sent: s.sent,
      delivered: s.delivered,
      ndr: s.ndr,
      undelivered: s.undelivered,
      stuck: s.stuck,
      deferredRecipients: s.deferred,
      deferredThenDelivered: s.deferred_delivered,
      deferEvents: s.defer_events,
      transferAttempts: s.attempts,
      ndrByCode: {},
      pendingStatuses: {},
      oldestStuck: s.oldest_stuck,
      first: s.first_ns,
      last: s.last_ns,
      stuckExamples: [],
      ndrExamples: [],
    });
  }
  for (const c of ndrCodes) {
    const e = result.get(c.domain);
    if (e) e.ndrByCode[c.code] = c.n;
  }
  for (const c of statuses) {
    const e = result.get(c.domain);
    if (e) e.pendingStatuses[c.status] = c.n;
  }
  for (const x of examples) {
    const e = result.get(x.domain);
    const example = { time: x.first_ns, message_id: x.message_id, recipient: x.recipient, status: x.status };
    if (e) (x.kind === 'ndr' ? e.ndrExamples : e.stuckExamples).push(example);
  }
  // Messages are counted by their 64-bit key, as pairs are grouped (derived/mail.ts).
  const inbound = await queryRows<{ domain: string; messages: number }>(
    connection,
    `SELECT domain, count(DISTINCT message)::INTEGER AS messages FROM (
       SELECT sender_domain AS domain, message_key AS message FROM ${PAIRS}
       UNION ALL
       SELECT lower(trim(split_part(mail_from, '@', 2))), hash(file_id, session_key)
         FROM smtp_sessions WHERE direction = 'inbound' AND mail_from LIKE '%@%' AND ${inWindow('start_time')})
      WHERE domain <> '' AND domain NOT IN (SELECT domain FROM ${PAIRS} WHERE domain NOT IN ${REMOTE})
      GROUP BY domain`,
    windowParams(window),
  );
  return { byDomain: result, inboundSenders: new Map(inbound.map((r) => [r.domain, r.messages])) };
}
