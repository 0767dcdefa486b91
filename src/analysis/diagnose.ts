// `diagnose`: per remote domain, the KB 818222 chain and its look-alikes, from whatever the store
// holds. Evidence is gathered per source by SQL (evidence-*.ts), firewall events are attributed to
// domains (attribution.ts), and each domain is judged (verdict.ts). "Now", for ages, is the end of
// the evidence (latest timestamp in the store, or --until), never the wall clock.
import type { DuckDBConnection } from '@duckdb/node-api';
import { isoFromNanos } from '../util/timezone.js';
import { VERDICTS, CONFIDENCES, type Finding, type Verdict } from './findings.js';
import { RULES, remediationFor } from './rules.js';
import { queryRows, inWindow, windowParams, type Window } from './sql.js';
import { trackingEvidence } from './evidence-tracking.js';
import { sessionEvidence } from './evidence-sessions.js';
import { queueEvidence } from './evidence-queue.js';
import { firewallEvidence, type FirewallFacts } from './evidence-firewall.js';
import { attributeFirewallEvents, type FirewallEvent, type FirewallHostAttribution } from './attribution.js';
import { judge, type DomainEvidence, type StoreSides } from './verdict.js';
import { isDomainName } from './firewall-map.js';

export { parseFirewallMap } from './firewall-map.js';

export interface DiagnoseOptions {
  /** Only this remote domain. */
  domain?: string;
  /** Window [since, until), ns since the epoch UTC; null/undefined = open. `until` is also "now" for ages. */
  since?: bigint | null;
  until?: bigint | null;
  /** Firewall host → domains behind it (`--firewall-map`). */
  firewallMap?: Map<string, string[]>;
  /** Bound of the firewall clock-offset search (`--skew`), seconds. */
  skewSeconds?: number;
}

export interface FirewallHostSummary extends FirewallHostAttribution {
  /** SmtpEvt 20031 events for other verbs: never KB 818222 evidence. */
  otherVerbEvents: Record<string, number>;
  /** SmtpEvt 20031 events without Data (verb unknown). */
  unknownVerbEvents: number;
}

export interface DiagnosisResult {
  findings: Finding[];
  firewallHosts: FirewallHostSummary[];
  /** The evidence window actually covered (ISO 8601 UTC); null when the store holds nothing. */
  window: { since: string | null; until: string | null };
  notes: string[];
}

const NS = 1_000_000_000n;

function iso(ns: bigint | null | undefined): string | null {
  return ns === null || ns === undefined ? null : isoFromNanos(ns, 3);
}

interface Span {
  first: bigint | null;
  last: bigint | null;
  sender: boolean;
  firewall: boolean;
}

async function evidenceSpan(connection: DuckDBConnection, window: Window): Promise<Span> {
  const sources: [string, string, 'sender' | 'firewall'][] = [
    ['tracking', 'time', 'sender'],
    ['smtp_sessions', 'start_time', 'sender'],
    ['smtp_lines', 'time', 'sender'],
    ['queue_snapshots', 'snapshot_time', 'sender'],
    ['queue_messages', 'snapshot_time', 'sender'],
    ['firewall_log', 'time', 'firewall'],
  ];
  const parts = sources.map(
    ([table, column, side]) =>
      `SELECT '${side}' AS side, count(*) AS n, epoch_ns(min(${column})) AS first, epoch_ns(max(${column})) AS last
         FROM ${table} WHERE ${inWindow(column)}`,
  );
  parts.push(
    `SELECT 'firewall', count(*), NULL, NULL
       FROM events WHERE lower(provider) = lower($provider) AND event_id = $eventId AND ${inWindow('time_created')}`,
    // Every event-log record counts for the span ("the latest timestamp in the store").
    `SELECT 'any', 0, epoch_ns(min(time_created)), epoch_ns(max(time_created)) FROM events WHERE ${inWindow('time_created')}`,
  );
  const rows = await queryRows<{ side: string; n: bigint; first: bigint | null; last: bigint | null }>(
    connection,
    parts.join(' UNION ALL '),
    { ...windowParams(window), provider: RULES.firewallEvent.provider, eventId: RULES.firewallEvent.eventId },
  );
  const span: Span = { first: null, last: null, sender: false, firewall: false };
  for (const r of rows) {
    if (r.side === 'sender' && r.n > 0n) span.sender = true;
    if (r.side === 'firewall' && r.n > 0n) span.firewall = true;
    if (r.first !== null && (span.first === null || r.first < span.first)) span.first = r.first;
    if (r.last !== null && (span.last === null || r.last > span.last)) span.last = r.last;
  }
  return span;
}

function earliest(...values: (bigint | null | undefined)[]): bigint | null {
  return values.reduce<bigint | null>((a, b) => (b === null || b === undefined ? a : a === null || b < a ? b : a), null);
}

function latest(...values: (bigint | null | undefined)[]): bigint | null {
  return values.reduce<bigint | null>((a, b) => (b === null || b === undefined ? a : a === null || b > a ? b : a), null);
}

function summarise(domain: string, verdict: Verdict, e: DomainEvidence, stuckAgeSeconds: number | null): string {
  const t = e.tracking;
  const waiting = t?.undelivered ?? e.queue?.latestMessages ?? 0;
  const age = stuckAgeSeconds === null ? '' : `, oldest ${formatAge(stuckAgeSeconds)} old`;
  const mail = t ? `${t.sent} recipient(s) sent, ${t.delivered} delivered, ${t.ndr} NDR, ${waiting} undelivered${age}` : `${waiting} message(s) queued`;
  switch (verdict) {
    case 'xexch50-blocked':
      return `Mail to ${domain} is blocked after the XEXCH50 command (KB 818222): ${e.sessions?.xexch50Blocked ?? 0} XEXCH50 attempt(s) cut off, ${e.firewallEvents} firewall event(s); ${mail}.`;
    case 'dns-failure':
      return `No mail host for ${domain} could be found (DNS): ${mail}.`;
    case 'host-unreachable':
      return `The mail hosts of ${domain} do not accept connections: ${mail}.`;
    case 'recipient-rejected':
      return `${domain} rejects some recipients (5.1.x) while accepting others: ${mail}.`;
    case 'smtp-inspection':
      return `An SMTP-inspecting firewall is in the path to ${domain} (EHLO refused / verbs masked), mail flows: ${mail}.`;
    case 'healthy':
      return `Mail to ${domain} flows: ${mail}.`;
  }
}

function formatAge(seconds: number): string {
  if (seconds >= 86400) return `${(seconds / 86400).toFixed(1)} days`;
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 60)} min`;
}

function nanosFromMs(ms: number): bigint {
  return BigInt(Math.round(ms * 1000)) * 1000n;
}

function eventExample(e: FirewallEvent): Record<string, unknown> {
  return { host: e.host, record_id: e.recordId, time: iso(nanosFromMs(e.time)), bytes: e.bytesText };
}

/** JSON-safe copy: bigint timestamps (ns) become ISO strings under keys that name times. */
function jsonSafe<T extends object>(rows: T[]): Record<string, unknown>[] {
  return rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? iso(v) : v])),
  );
}

function firewallNotes(facts: FirewallFacts, hosts: FirewallHostSummary[], sides: StoreSides): string[] {
  const notes: string[] = [];
  if (!sides.firewall) notes.push('no firewall logs in the store: confidence capped at medium');
  if (!sides.sender) {
    notes.push('no sender-side logs (message tracking, SMTP protocol, queue exports) in the store: verdicts rest on the firewall side alone');
  }
  for (const h of hosts) {
    if (h.method === 'unattributed') {
      notes.push(`${h.events} SmtpEvt 20031 XEXCH50 event(s) of firewall host ${h.host} could not be attributed to a domain: give --firewall-map`);
    }
    const other = Object.entries(h.otherVerbEvents);
    if (other.length > 0) {
      notes.push(
        `firewall host ${h.host}: SmtpEvt 20031 for other verb(s) ${other.map(([v, n]) => `${v} ×${n}`).join(', ')}: an SMTP filter refusing an unknown command, not KB 818222 evidence`,
      );
    }
    if (h.unknownVerbEvents > 0) {
      notes.push(`firewall host ${h.host}: ${h.unknownVerbEvents} SmtpEvt 20031 event(s) without Data (Event Viewer text/CSV export?): the verb is unknown, not counted as XEXCH50 evidence`);
    }
  }
  if (facts.firewallLogRows > 0 && facts.xexch50Events.length === 0) {
    notes.push(`the firewall log holds ${facts.firewallLogRows} port-25 row(s) but no SmtpEvt 20031 XEXCH50 event is in the store`);
  }
  return notes;
}

export async function diagnose(connection: DuckDBConnection, options: DiagnoseOptions): Promise<DiagnosisResult> {
  const window: Window = { since: options.since ?? null, until: options.until ?? null };
  const span = await evidenceSpan(connection, window);
  const sides: StoreSides = { sender: span.sender, firewall: span.firewall };
  const now = window.until ?? span.last;
  const result: DiagnosisResult = {
    findings: [],
    firewallHosts: [],
    window: { since: iso(window.since ?? span.first), until: iso(now) },
    notes: [],
  };
  if (now === null) {
    result.notes.push('the store holds no mail or firewall evidence in the window: nothing to diagnose (run `edgelog ingest` first?)');
    return result;
  }

  const { byDomain: tracking, inboundSenders: inbound } = await trackingEvidence(connection, window, now);
  const sessions = await sessionEvidence(connection, window);
  const queues = await queueEvidence(connection, window);
  const firewall = await firewallEvidence(connection, window);
  const attribution = attributeFirewallEvents({
    events: firewall.xexch50Events,
    attempts: sessions.attempts,
    firewallConnections: firewall.connections,
    firewallMap: options.firewallMap,
    skewSeconds: options.skewSeconds ?? RULES.attribution.defaultSkewSeconds,
  });

  const otherHosts = new Set([...firewall.otherVerbs.keys(), ...firewall.unknownVerb.keys()]);
  const attributedHosts = new Set(attribution.hosts.map((h) => h.host));
  result.firewallHosts = [
    ...attribution.hosts.map((h) => ({
      ...h,
      otherVerbEvents: firewall.otherVerbs.get(h.host) ?? {},
      unknownVerbEvents: firewall.unknownVerb.get(h.host) ?? 0,
    })),
    ...[...otherHosts]
      .filter((h) => !attributedHosts.has(h))
      .sort()
      .map((host) => ({
        host,
        domains: [],
        method: 'unattributed' as const,
        clockOffsetSeconds: null,
        events: 0,
        matched: 0,
        otherVerbEvents: firewall.otherVerbs.get(host) ?? {},
        unknownVerbEvents: firewall.unknownVerb.get(host) ?? 0,
      })),
  ];
  result.notes.push(...firewallNotes(firewall, result.firewallHosts, sides));
  if (sessions.unassigned > 0) {
    result.notes.push(`${sessions.unassigned} outbound SMTP session(s) carried no recipient and went to an address no other session names a domain for: not counted`);
  }

  // Queue-only names are domains only when they look like one and the queue shows something.
  const queueDomains = [...queues].filter(([d, q]) => isDomainName(d) && (q.latestMessages > 0 || q.retrySnapshots > 0)).map(([d]) => d);
  const domains = new Set([
    ...tracking.keys(),
    ...sessions.byDomain.keys(),
    ...queueDomains,
    ...[...inbound.keys()].filter(isDomainName),
    ...attribution.eventsByDomain.keys(),
    ...[...(options.firewallMap?.values() ?? [])].flat(),
  ]);
  const wanted = options.domain?.trim().toLowerCase();
  if (wanted && !domains.has(wanted)) result.notes.push(`no evidence for domain ${wanted} in the window`);

  for (const domain of [...domains].sort()) {
    if (wanted && domain !== wanted) continue;
    const events = attribution.eventsByDomain.get(domain) ?? [];
    const pairs = attribution.pairsByDomain.get(domain) ?? [];
    const evidence: DomainEvidence = {
      tracking: tracking.get(domain),
      sessions: sessions.byDomain.get(domain),
      queue: queues.get(domain),
      firewallEvents: events.length,
      firewallMethods: attribution.hosts.filter((h) => h.domains.includes(domain) && events.some((e) => e.host === h.host)).map((h) => h.method),
      inboundMessages: inbound.get(domain) ?? 0,
    };
    result.findings.push(buildFinding(domain, evidence, events, pairs, result.firewallHosts, sides, now));
  }
  result.findings.sort(worstFirst);
  if (domains.size === 0) {
    result.notes.push('no remote domain in the evidence: no outbound message tracking, SMTP sessions, queues or attributable firewall events');
  }
  return result;
}

function buildFinding(
  domain: string,
  e: DomainEvidence,
  events: FirewallEvent[],
  pairs: { event: FirewallEvent; attempt: { time: number; bytes: number } }[],
  hosts: FirewallHostSummary[],
  sides: StoreSides,
  now: bigint,
): Finding {
  const judgement = judge(e, sides);
  const t = e.tracking;
  const s = e.sessions;
  const q = e.queue;
  const oldestStuck = earliest(t?.oldestStuck, q && q.latestMessages > 0 ? q.oldestMessage : null);
  const stuckAgeSeconds = oldestStuck === null ? null : Number((now - oldestStuck) / (NS / 1000n)) / 1000;
  let eventFirst = Infinity;
  let eventLast = -Infinity;
  for (const x of events) {
    eventFirst = Math.min(eventFirst, x.time);
    eventLast = Math.max(eventLast, x.time);
  }
  const first = earliest(t?.first, s?.first, q?.first, events.length > 0 ? nanosFromMs(eventFirst) : null);
  const last = latest(t?.last, s?.last, q?.last, events.length > 0 ? nanosFromMs(eventLast) : null);
  const perKind = RULES.examples.perKind;
  const domainHosts = hosts.filter((h) => h.domains.includes(domain) && events.some((x) => x.host === h.host));

  return {
    domain,
    verdict: judgement.verdict,
    confidence: judgement.confidence,
    summary: summarise(domain, judgement.verdict, e, stuckAgeSeconds),
    counts: {
      sent: t?.sent ?? 0,
      delivered: t?.delivered ?? 0,
      ndr: t?.ndr ?? 0,
      undelivered: t?.undelivered ?? 0,
      xexch50_attempts: s?.xexch50Attempts ?? 0,
      xexch50_blocked: s?.xexch50Blocked ?? 0,
      firewall_events: events.length,
    },
    evidence: {
      reasons: judgement.reasons,
      sources: [t && 'tracking', s && 'smtp-sessions', q && 'queue', events.length > 0 && 'firewall-events', e.inboundMessages > 0 && 'inbound-mail'].filter(Boolean),
      inbound_messages: e.inboundMessages,
      messages: t && {
        sent: t.sent,
        delivered: t.delivered,
        ndr: t.ndr,
        undelivered: t.undelivered,
        stuck_now: t.stuck,
        oldest_stuck: iso(oldestStuck),
        oldest_stuck_age_seconds: stuckAgeSeconds,
        deferred_recipients: t.deferredRecipients,
        deferred_then_delivered: t.deferredThenDelivered,
        defer_events: t.deferEvents,
        transfer_attempts: t.transferAttempts,
        ndr_by_code: t.ndrByCode,
        pending_statuses: t.pendingStatuses,
      },
      sessions: s && {
        count: s.sessions,
        connected: s.connected,
        no_connection: s.noConnection,
        end_reasons: s.endReasons,
        ehlo_refused: s.ehloRefused,
        masked_verbs: s.maskedVerbs,
        recipients_accepted: s.recipientsAccepted,
        recipient_rejections: s.recipientRejections,
      },
      xexch50: s && {
        advertised_sessions: s.xexch50Advertised,
        attempts: s.xexch50Attempts,
        outcomes: s.xexch50Outcomes,
        blocked: s.xexch50Blocked,
        refused_504: s.xexch50Harmless,
      },
      firewall: {
        events: events.length,
        matched_pairs: pairs.length,
        hosts: domainHosts.map((h) => ({ host: h.host, method: h.method, clock_offset_seconds: h.clockOffsetSeconds })),
      },
      queue: q && {
        snapshots: q.snapshots,
        retry_snapshots: q.retrySnapshots,
        latest_messages: q.latestMessages,
        latest_states: q.latestStates,
        oldest_message: iso(q.oldestMessage),
        last_errors: q.lastErrors,
        listed_messages: q.listedMessages,
        max_retry_count: q.maxRetryCount,
      },
      examples: {
        stuck: jsonSafe(t?.stuckExamples ?? []),
        ndr: jsonSafe(t?.ndrExamples ?? []),
        sessions: jsonSafe(s?.examples ?? []),
        firewall_events: events.slice(0, perKind).map(eventExample),
        matched: pairs.slice(0, perKind).map((p) => ({
          event: eventExample(p.event),
          attempt: { time: iso(nanosFromMs(p.attempt.time)), bytes: p.attempt.bytes },
        })),
        queue: jsonSafe(q?.examples ?? []),
      },
    },
    remediation: remediationFor(judgement.verdict, domain),
    first_seen: iso(first),
    last_seen: iso(last),
  };
}

function worstFirst(a: Finding, b: Finding): number {
  return (
    VERDICTS.indexOf(a.verdict) - VERDICTS.indexOf(b.verdict) ||
    CONFIDENCES.indexOf(b.confidence) - CONFIDENCES.indexOf(a.confidence) ||
    b.counts.undelivered + b.counts.ndr - (a.counts.undelivered + a.counts.ndr) ||
    a.domain.localeCompare(b.domain)
  );
}
