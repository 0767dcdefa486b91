// Attribution of firewall SmtpEvt 20031 `XEXCH50 <n>` events to remote domains.
//
// The event names no domain and no address, and the firewall host belongs to the receiving side,
// with its own clock. So, per host, in order: the explicit map; matching against the senders'
// outbound XEXCH50 attempts (time within ±skew, same byte count), where one domain explains most of
// the host's events and the median of the matched time differences estimates the host's clock
// offset; the host's firewall-log rows for port 25 that line up in time with one domain's
// XEXCH50 sessions. Only attempts whose acknowledgement never came can have been cut by a firewall,
// so those are the candidates. Pure logic over plain rows (fed by evidence-*.ts); times are
// milliseconds since the epoch as doubles (sub-microsecond precision is irrelevant at a ±5 s
// tolerance, and doubles keep the matching fast on millions of rows).
import { RULES } from './rules.js';
import { mappedDomains } from './firewall-map.js';

export interface FirewallEvent {
  host: string;
  recordId: number | null;
  /** As logged, on the host's clock: ms since the epoch. */
  time: number;
  /** The number after `XEXCH50`, as logged (may be cut, see `truncated`). */
  bytesText: string;
  /** Data ended at the length where ISA may cut it: the real count may have more digits. */
  truncated: boolean;
}

export interface XexchAttempt {
  domain: string;
  /** On the sender's clock: ms since the epoch. */
  time: number;
  bytes: number;
}

/** Per firewall host, the times of its firewall-log rows for SMTP (port 25) connections. */
export type FirewallConnections = Map<string, number[]>;

export type AttributionMethod = 'map' | 'matching' | 'firewall-log' | 'unattributed';

export interface FirewallHostAttribution {
  host: string;
  domains: string[];
  method: AttributionMethod;
  /** Host clock minus sender clock, from the matched pairs (median); null without matches. */
  clockOffsetSeconds: number | null;
  /** XEXCH50 events of this host in the window. */
  events: number;
  /** Events paired with a sender attempt. */
  matched: number;
}

export interface Attribution {
  hosts: FirewallHostAttribution[];
  /** Attributed events per domain. */
  eventsByDomain: Map<string, FirewallEvent[]>;
  /** Matched (event, attempt) pairs per domain, for evidence examples. */
  pairsByDomain: Map<string, { event: FirewallEvent; attempt: XexchAttempt }[]>;
}

export interface AttributionInput {
  events: FirewallEvent[];
  attempts: XexchAttempt[];
  firewallConnections: FirewallConnections;
  firewallMap?: Map<string, string[]>;
  skewSeconds: number;
}

export function bytesMatch(event: FirewallEvent, attemptBytes: number): boolean {
  const text = String(attemptBytes);
  return event.truncated ? text.startsWith(event.bytesText) : text === event.bytesText;
}

function sameBytes(event: FirewallEvent, attempt: XexchAttempt): boolean {
  return bytesMatch(event, attempt.bytes);
}

interface Pair {
  event: FirewallEvent;
  attempt: XexchAttempt;
}

function median(values: number[]): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** First index whose time is >= t in attempts sorted by time. */
function lowerBound(attempts: XexchAttempt[], t: number): number {
  let lo = 0;
  let hi = attempts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (attempts[mid].time < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Pairs a host's events with attempts (sorted by time) of the candidate domains. The host has one
 * clock, so one offset is searched for all domains together: the densest cluster (tolerance wide)
 * of event-minus-attempt time differences within ±skew, over byte-equal pairs. Events are then
 * paired one-to-one at that offset, closest attempt first, and the offset re-estimated as the
 * median of the final pairs.
 */
function matchHost(
  events: FirewallEvent[],
  attempts: XexchAttempt[],
  skewMs: number,
  compatible: (event: FirewallEvent, attempt: XexchAttempt) => boolean,
): { pairs: Pair[]; offsetMs: number | null } {
  const toleranceMs = RULES.attribution.toleranceSeconds * 1000;
  const collected: number[] = [];
  for (const event of events) {
    const from = lowerBound(attempts, event.time - skewMs - toleranceMs);
    for (let i = from; i < attempts.length && attempts[i].time <= event.time + skewMs + toleranceMs; i++) {
      if (compatible(event, attempts[i])) collected.push(event.time - attempts[i].time);
    }
  }
  if (collected.length === 0) return { pairs: [], offsetMs: null };
  const diffs = Float64Array.from(collected).sort();
  let best = { from: 0, to: 0 };
  for (let from = 0, to = 0; from < diffs.length; from++) {
    while (to < diffs.length && diffs[to] - diffs[from] <= 2 * toleranceMs) to++;
    if (to - from > best.to - best.from) best = { from, to };
  }
  const offsetMs = median(Array.from(diffs.subarray(best.from, best.to)));

  const used = new Set<XexchAttempt>();
  const pairs: Pair[] = [];
  for (const event of [...events].sort((a, b) => a.time - b.time)) {
    const expected = event.time - offsetMs;
    let chosen: XexchAttempt | null = null;
    let chosenGap = 0;
    const from = lowerBound(attempts, expected - toleranceMs);
    for (let i = from; i < attempts.length && attempts[i].time <= expected + toleranceMs; i++) {
      const attempt = attempts[i];
      if (used.has(attempt) || !compatible(event, attempt)) continue;
      const gap = Math.abs(attempt.time - expected);
      if (chosen === null || gap < chosenGap) {
        chosen = attempt;
        chosenGap = gap;
      }
    }
    if (chosen) {
      used.add(chosen);
      pairs.push({ event, attempt: chosen });
    }
  }
  return { pairs, offsetMs: pairs.length > 0 ? median(pairs.map((p) => p.event.time - p.attempt.time)) : null };
}

function shortName(host: string): string {
  return host.toLowerCase().split('.')[0];
}

/** Domains by number of pairs, most first (ties by name). */
function domainsByPairs(pairs: Pair[]): string[] {
  const counts = new Map<string, number>();
  for (const p of pairs) counts.set(p.attempt.domain, (counts.get(p.attempt.domain) ?? 0) + 1);
  return [...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([d]) => d);
}

export function attributeFirewallEvents(input: AttributionInput): Attribution {
  const skewMs = input.skewSeconds * 1000;
  const attempts = [...input.attempts].sort((a, b) => a.time - b.time);

  const eventsByHost = new Map<string, FirewallEvent[]>();
  for (const event of input.events) {
    const list = eventsByHost.get(event.host) ?? [];
    list.push(event);
    eventsByHost.set(event.host, list);
  }

  const result: Attribution = { hosts: [], eventsByDomain: new Map(), pairsByDomain: new Map() };
  const give = (domain: string, events: FirewallEvent[], pairs: Pair[]): void => {
    result.eventsByDomain.set(domain, [...(result.eventsByDomain.get(domain) ?? []), ...events]);
    result.pairsByDomain.set(domain, [...(result.pairsByDomain.get(domain) ?? []), ...pairs]);
  };
  /** Each paired event to its attempt's domain, the unpaired ones to `rest`. */
  const distribute = (events: FirewallEvent[], pairs: Pair[], rest: string): void => {
    const paired = new Set(pairs.map((p) => p.event));
    for (const domain of domainsByPairs(pairs)) {
      const own = pairs.filter((p) => p.attempt.domain === domain);
      give(domain, own.map((p) => p.event), own);
    }
    const unpaired = events.filter((e) => !paired.has(e));
    if (unpaired.length > 0) give(rest, unpaired, []);
  };

  for (const [host, events] of [...eventsByHost].sort(([a], [b]) => a.localeCompare(b))) {
    const mapped = mappedDomains(input.firewallMap, host);
    const candidates = mapped ? attempts.filter((a) => mapped.includes(a.domain)) : attempts;
    const { pairs, offsetMs } = matchHost(events, candidates, skewMs, sameBytes);
    const ranked = domainsByPairs(pairs);
    const entry = (method: AttributionMethod, domains: string[], matched: number): FirewallHostAttribution => ({
      host,
      domains,
      method,
      clockOffsetSeconds: matched > 0 && offsetMs !== null ? Math.round(offsetMs) / 1000 : null,
      events: events.length,
      matched,
    });

    if (mapped) {
      distribute(events, pairs, ranked[0] ?? mapped[0]);
      result.hosts.push(entry('map', mapped, pairs.length));
      continue;
    }
    if (pairs.length > 0 && pairs.length >= RULES.attribution.minShare * events.length) {
      distribute(events, pairs, ranked[0]);
      result.hosts.push(entry('matching', [...ranked].sort(), pairs.length));
      continue;
    }
    const viaFirewallLog = domainFromFirewallLog(host, input.firewallConnections, attempts, skewMs);
    if (viaFirewallLog) {
      give(viaFirewallLog, events, []);
      result.hosts.push(entry('firewall-log', [viaFirewallLog], 0));
      continue;
    }
    result.hosts.push(entry('unattributed', [], 0));
  }
  return result;
}

/**
 * The domain whose XEXCH50 sessions line up in time (at one clock offset within ±skew) with most
 * of this host's port-25 connections in its firewall log. The firewall log names no domain and
 * its destination is the published (internal) server, so time is the only link to the sender.
 */
function domainFromFirewallLog(host: string, connections: FirewallConnections, attempts: XexchAttempt[], skewMs: number): string | null {
  const times = [...connections].find(([h]) => shortName(h) === shortName(host))?.[1];
  if (!times || times.length === 0) return null;
  const rows = times.map((time): FirewallEvent => ({ host, recordId: null, time, bytesText: '', truncated: false }));
  const { pairs } = matchHost(rows, attempts, skewMs, () => true);
  return domainsByPairs(pairs)[0] ?? null;
}
