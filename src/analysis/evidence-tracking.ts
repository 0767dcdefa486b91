// Message tracking, per remote domain. Mail counts are per (message, recipient) pair, as the
// tracking log writes them: a pair is "sent" when it was queued for remote delivery, "delivered"
// when a transfer to the remote host succeeded, "ndr" when it ended in a non-delivery report;
// sent but neither is still undelivered at the end of the evidence ("stuck" once older than the
// threshold). A domain is remote when any of its pairs took a step of the outbound path.
import type { DuckDBConnection } from '@duckdb/node-api';
import { RULES } from './rules.js';
import { inWindow, queryRows, windowParams, type Window } from './sql.js';
import { EVERYTHING } from './derived/sql-text.js';
import { inboundSenderSessionsSelect, mailDomainMonthsSelect } from './derived/mail.js';

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

const open = (window: Window) => window.since === null && window.until === null;

/** The pairs summed per domain and month (derived/mail.ts): kept in the store for all time, computed now for a window. */
function domainMonths(window: Window): string {
  return open(window) ? 'mail_domain_months' : `(${mailDomainMonthsSelect('mail_pairs_in($since, $until)', EVERYTHING)})`;
}

/** Messages per sender domain: summed per month in the store; counted directly in a window. */
function senders(window: Window): string {
  return open(window)
    ? 'SELECT sender_domain AS domain, sum(messages) AS messages FROM mail_sender_months GROUP BY ALL'
    : 'SELECT sender_domain AS domain, count(DISTINCT message_key) AS messages FROM mail_pairs_in($since, $until) GROUP BY ALL';
}

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
  const params = {
    ...windowParams(window),
    stuckBefore: { timestampNs: now - BigInt(RULES.stuck.afterSeconds) * 1_000_000_000n },
    perKind: { bigint: BigInt(RULES.examples.perKind) },
  };
  const months = `(SELECT * FROM ${domainMonths(window)} WHERE domain IN (SELECT domain FROM ${domainMonths(window)} GROUP BY domain HAVING bool_or(remote)))`;
  const examples = (list: string) =>
    `coalesce(list_transform(list_slice(list_sort(${list}), 1, $perKind),
       x -> {'time': epoch_ns(x.first_time), 'message_id': x.message_id, 'recipient': x.recipient, 'status': x.status}), [])`;
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
    ndr_examples: TrackingExample[];
    stuck_examples: TrackingExample[];
  }>(
    connection,
    // A waiting pair is stuck once first logged before $stuckBefore.
    `SELECT domain,
            sum(sent)::INTEGER AS sent,
            sum(delivered)::INTEGER AS delivered,
            sum(ndr)::INTEGER AS ndr,
            sum(undelivered)::INTEGER AS undelivered,
            sum(CASE WHEN pending_times[-1] <= $stuckBefore THEN len(pending_times)
                     WHEN pending_times[1] <= $stuckBefore THEN len(list_filter(pending_times, t -> t <= $stuckBefore))
                     ELSE 0 END)::INTEGER AS stuck,
            sum(deferred)::INTEGER AS deferred,
            sum(deferred_delivered)::INTEGER AS deferred_delivered,
            sum(defer_events)::INTEGER AS defer_events,
            sum(attempts)::INTEGER AS attempts,
            epoch_ns(min(pending_times[1]) FILTER (WHERE pending_times[1] <= $stuckBefore)) AS oldest_stuck,
            epoch_ns(min(first_time)) AS first_ns,
            epoch_ns(max(last_time)) AS last_ns,
            -- A month keeps its earliest few: the earliest few of all are among those of the earliest months.
            ${examples('flatten(min_by(ndr_examples, month, $perKind) FILTER (WHERE ndr_examples IS NOT NULL))')} AS ndr_examples,
            ${examples('list_filter(flatten(min_by(pending_examples, month, $perKind) FILTER (WHERE pending_times[1] <= $stuckBefore)), x -> x.first_time <= $stuckBefore)')} AS stuck_examples
       FROM ${months} GROUP BY domain`,
    params,
  );
  const counts = await queryRows<{ domain: string; kind: 'ndr' | 'pending'; value: string; n: number }>(
    connection,
    `SELECT domain, kind, entry.key AS value, sum(entry.value)::INTEGER AS n FROM (
       SELECT domain, 'ndr' AS kind, unnest(ndr_codes) AS entry FROM ${months}
       UNION ALL
       SELECT domain, 'pending', unnest(pending_statuses) FROM ${months})
      GROUP BY ALL ORDER BY domain, kind, n DESC, value`,
    params,
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
      stuckExamples: s.stuck_examples,
      ndrExamples: s.ndr_examples,
    });
  }
  for (const c of counts) {
    const e = result.get(c.domain);
    if (e) (c.kind === 'ndr' ? e.ndrByCode : e.pendingStatuses)[c.value] = c.n;
  }
  // Local domains (recipient domains that never took an outbound step) are no remote senders.
  const inbound = await queryRows<{ domain: string; messages: number }>(
    connection,
    `SELECT domain, sum(messages)::INTEGER AS messages FROM (
       ${senders(window)}
       UNION ALL
       SELECT domain, sum(sessions) FROM ${inboundSessions(window)} GROUP BY ALL)
      WHERE domain <> '' AND domain NOT IN (SELECT domain FROM ${domainMonths(window)} GROUP BY domain HAVING NOT bool_or(remote))
      GROUP BY domain`,
    params,
  );
  return { byDomain: result, inboundSenders: new Map(inbound.map((r) => [r.domain, r.messages])) };
}

/** Inbound SMTP sessions per sender domain (MAIL FROM), per file. */
function inboundSessions(window: Window): string {
  return open(window) ? 'inbound_sender_sessions' : `(${inboundSenderSessionsSelect((s) => inWindow(`${s}.start_time`))})`;
}
