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

const PAIRS = 'diag_tracking_pairs';
const REMOTE = 'diag_remote_domains';

/**
 * Builds the per-pair temp table (dropped by trackingEvidence). Pairs are grouped on a 64-bit hash
 * of (message id, lower-case recipient): grouping on the strings themselves costs three times as
 * much on millions of rows, and a collision among a few million pairs is vanishingly unlikely.
 */
async function buildPairs(connection: DuckDBConnection, window: Window): Promise<void> {
  await queryRows(
    connection,
    `CREATE OR REPLACE TEMP TABLE ${PAIRS} AS
     SELECT lower(trim(any_value(recipient_domain))) AS domain,
            any_value(coalesce(message_id, internal_id)) AS msg,
            lower(trim(any_value(recipient))) AS rcpt,
            lower(trim(split_part(any_value(sender), '@', 2))) AS sender_domain,
            bool_or(list_contains($remote, event_kind)) AS remote,
            bool_or(list_contains($sent, event_kind)) AS sent,
            bool_or(list_contains($delivered, event_kind)) AS delivered,
            bool_or(list_contains($ndr, event_kind)) AS ndr,
            arg_max(dsn_code, time) FILTER (WHERE list_contains($ndr, event_kind)) AS ndr_code,
            count(*) FILTER (WHERE list_contains($defer, event_kind))::INTEGER AS defers,
            count(*) FILTER (WHERE list_contains($attempt, event_kind))::INTEGER AS attempts,
            arg_max(coalesce(recipient_status, dsn_code), time)
              FILTER (WHERE recipient_status IS NOT NULL OR dsn_code IS NOT NULL) AS last_status,
            epoch_ns(min(time)) AS first_ns,
            epoch_ns(max(time)) AS last_ns
       FROM tracking
      WHERE recipient_domain IS NOT NULL AND recipient IS NOT NULL AND ${inWindow('time')}
      GROUP BY hash(coalesce(message_id, internal_id), lower(trim(recipient)))`,
    {
      ...windowParams(window),
      remote: RULES.tracking.remoteKinds,
      sent: RULES.tracking.sentKinds,
      delivered: RULES.tracking.deliveredKinds,
      ndr: RULES.tracking.ndrKinds,
      defer: RULES.tracking.deferKinds,
      attempt: RULES.tracking.attemptKinds,
    },
  );
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
  await buildPairs(connection, window);
  try {
    const stuckBefore = { bigint: now - BigInt(RULES.stuck.afterSeconds) * 1_000_000_000n };
    const pending = 'sent AND NOT delivered AND NOT ndr';
    await queryRows(
      connection,
      `CREATE OR REPLACE TEMP TABLE ${REMOTE} AS SELECT domain FROM ${PAIRS} GROUP BY domain HAVING bool_or(remote)`,
    );
    const remote = `domain IN (SELECT domain FROM ${REMOTE})`;
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
              count(*) FILTER (WHERE ${pending} AND first_ns <= $stuckBefore)::INTEGER AS stuck,
              count(*) FILTER (WHERE defers > 0)::INTEGER AS deferred,
              count(*) FILTER (WHERE defers > 0 AND delivered)::INTEGER AS deferred_delivered,
              sum(defers)::INTEGER AS defer_events,
              sum(attempts)::INTEGER AS attempts,
              min(first_ns) FILTER (WHERE ${pending} AND first_ns <= $stuckBefore) AS oldest_stuck,
              min(first_ns) AS first_ns,
              max(last_ns) AS last_ns
         FROM ${PAIRS} WHERE ${remote} GROUP BY domain`,
      { stuckBefore },
    );
    const ndrCodes = await queryRows<{ domain: string; code: string; n: number }>(
      connection,
      `SELECT domain, coalesce(ndr_code, '(none)') AS code, count(*)::INTEGER AS n
         FROM ${PAIRS} WHERE ${remote} AND ndr GROUP BY ALL ORDER BY domain, n DESC, code`,
    );
    const statuses = await queryRows<{ domain: string; status: string; n: number }>(
      connection,
      `SELECT domain, last_status AS status, count(*)::INTEGER AS n
         FROM ${PAIRS} WHERE ${remote} AND ${pending} AND last_status IS NOT NULL
        GROUP BY ALL ORDER BY domain, n DESC, status`,
    );
    const examples = await queryRows<{
      domain: string;
      kind: 'stuck' | 'ndr';
      first_ns: bigint;
      msg: string | null;
      rcpt: string;
      status: string | null;
    }>(
      connection,
      `SELECT domain, kind, first_ns, msg, rcpt, status FROM (
         SELECT domain, CASE WHEN ndr THEN 'ndr' ELSE 'stuck' END AS kind, first_ns, msg, rcpt,
                CASE WHEN ndr THEN coalesce(ndr_code, last_status) ELSE last_status END AS status
           FROM ${PAIRS}
          WHERE ${remote} AND (ndr OR (${pending} AND first_ns <= $stuckBefore)))
       QUALIFY row_number() OVER (PARTITION BY domain, kind ORDER BY first_ns, msg, rcpt) <= $perKind
       ORDER BY domain, kind, first_ns, msg, rcpt`,
      { stuckBefore, perKind: RULES.examples.perKind },
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
      const example = { time: x.first_ns, message_id: x.msg, recipient: x.rcpt, status: x.status };
      if (e) (x.kind === 'ndr' ? e.ndrExamples : e.stuckExamples).push(example);
    }
    const inbound = await queryRows<{ domain: string; messages: number }>(
      connection,
      `SELECT domain, count(DISTINCT msg)::INTEGER AS messages FROM (
         SELECT sender_domain AS domain, msg FROM ${PAIRS}
         UNION ALL
         SELECT lower(trim(split_part(mail_from, '@', 2))), concat(file_id, '/', session_key)
           FROM smtp_sessions WHERE direction = 'inbound' AND mail_from LIKE '%@%' AND ${inWindow('start_time')})
        WHERE domain <> '' AND domain NOT IN (SELECT domain FROM ${PAIRS} WHERE domain NOT IN (SELECT domain FROM ${REMOTE}))
        GROUP BY domain`,
      windowParams(window),
    );
    return { byDomain: result, inboundSenders: new Map(inbound.map((r) => [r.domain, r.messages])) };
  } finally {
    await queryRows(connection, `DROP TABLE IF EXISTS ${PAIRS}`);
    await queryRows(connection, `DROP TABLE IF EXISTS ${REMOTE}`);
  }
}

