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
import { attributeFirewallEvents, type DomainAttribution, type FirewallEvent, type FirewallHostAttribution } from './attribution.js';
import { TABLES } from '../store/records.js';
import { quoteIdent } from '../store/ddl.js';
import { literal } from './derived/sql-text.js';
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

const NO_FIREWALL_EVENTS: DomainAttribution = { hosts: [], events: 0, first: null, last: null, examples: [], pairs: 0, pairExamples: [] };

function iso(ns: bigint | null | undefined): string | null {
  return ns === null || ns === undefined ? null : isoFromNanos(ns, 3);
}

interface Span {
  first: bigint | null;
  last: bigint | null;
  sender: boolean;
  firewall: boolean;
}

const SENDER_TABLES = ['tracking', 'smtp_sessions', 'smtp_lines', 'queue_snapshots', 'queue_messages'];
const FIREWALL_TABLES = ['firewall_log'];

/**
 * Which sides hold rows in the window, and the span of all evidence ("the latest timestamp in the
 * store" counts every event-log record too). Files whose rows all lie inside the window count
 * whole (derived file spans); files it cuts are read within it.
 */
async function evidenceSpan(connection: DuckDBConnection, window: Window): Promise<Span> {
  const params = windowParams(window);
  const inside = `(($since IS NULL AND $until IS NULL) OR (timed = rows AND ($since IS NULL OR first_ns >= epoch_ns($since::TIMESTAMP)) AND ($until IS NULL OR last_ns < epoch_ns($until::TIMESTAMP))))`;
  const outside = `(timed = rows AND (last_ns < epoch_ns($since::TIMESTAMP) OR first_ns >= epoch_ns($until::TIMESTAMP)))`;
  const spans = await queryRows<{ source: string; n: bigint; first: bigint | null; last: bigint | null }>(
    connection,
    `SELECT source, sum(rows)::BIGINT AS n, min(first_ns) AS first, max(last_ns) AS last FROM file_spans WHERE ${inside} GROUP BY source`,
    params,
  );
  const cut = await queryRows<{ source: string; files: bigint[] }>(
    connection,
    `SELECT source, list(DISTINCT file_id) AS files FROM file_spans WHERE NOT ${inside} AND NOT coalesce(${outside}, false) GROUP BY source`,
    params,
  );
  for (const { source, files } of cut) {
    const column = TABLES.find((t) => t.name === source)?.timeColumn ?? '';
    spans.push(
      ...(await queryRows<{ source: string; n: bigint; first: bigint | null; last: bigint | null }>(
        connection,
        `SELECT ${literal(source)} AS source, count(*) AS n, epoch_ns(min(${quoteIdent(column)})) AS first, epoch_ns(max(${quoteIdent(column)})) AS last
           FROM ${quoteIdent(source)} WHERE file_id IN (${files.map(Number).join(', ')}) AND ${inWindow(quoteIdent(column))}`,
        params,
      )),
    );
  }
  const [{ events }] = await queryRows<{ events: bigint }>(
    connection,
    `SELECT count(*) AS events FROM smtp_filter_events WHERE event_id = $eventId AND ${inWindow('time_created')}`,
    { ...params, eventId: RULES.firewallEvent.eventId },
  );
  const span: Span = { first: null, last: null, sender: false, firewall: events > 0n };
  for (const r of spans) {
    if (r.n > 0n && SENDER_TABLES.includes(r.source)) span.sender = true;
    if (r.n > 0n && FIREWALL_TABLES.includes(r.source)) span.firewall = true;
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
  if (facts.firewallLogRows > 0 && hosts.every((h) => h.events === 0)) {
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
  const attribution = await attributeFirewallEvents(connection, {
    window,
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
    ...attribution.byDomain.keys(),
    ...[...(options.firewallMap?.values() ?? [])].flat(),
  ]);
  const wanted = options.domain?.trim().toLowerCase();
  if (wanted && !domains.has(wanted)) result.notes.push(`no evidence for domain ${wanted} in the window`);

  for (const domain of [...domains].sort()) {
    if (wanted && domain !== wanted) continue;
    const firewallEvents = attribution.byDomain.get(domain) ?? NO_FIREWALL_EVENTS;
    const evidence: DomainEvidence = {
      tracking: tracking.get(domain),
      sessions: sessions.byDomain.get(domain),
      queue: queues.get(domain),
      firewallEvents: firewallEvents.events,
      firewallMethods: attribution.hosts.filter((h) => h.domains.includes(domain) && firewallEvents.hosts.includes(h.host)).map((h) => h.method),
      inboundMessages: inbound.get(domain) ?? 0,
    };
    result.findings.push(buildFinding(domain, evidence, firewallEvents, result.firewallHosts, sides, now));
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
  firewall: DomainAttribution,
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
  const first = earliest(t?.first, s?.first, q?.first, firewall.first === null ? null : nanosFromMs(firewall.first));
  const last = latest(t?.last, s?.last, q?.last, firewall.last === null ? null : nanosFromMs(firewall.last));
  const perKind = RULES.examples.perKind;
  const domainHosts = hosts.filter((h) => h.domains.includes(domain) && firewall.hosts.includes(h.host));

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
      firewall_events: firewall.events,
    },
    evidence: {
      reasons: judgement.reasons,
      sources: [t && 'tracking', s && 'smtp-sessions', q && 'queue', firewall.events > 0 && 'firewall-events', e.inboundMessages > 0 && 'inbound-mail'].filter(Boolean),
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
        events: firewall.events,
        matched_pairs: firewall.pairs,
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
        firewall_events: firewall.examples.map(eventExample),
        matched: firewall.pairExamples.map((p) => ({
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
