// Attribution of firewall SmtpEvt 20031 `XEXCH50 <n>` events to remote domains.
//
// The event names no domain and no address, and the firewall host belongs to the receiving side,
// with its own clock. So, per host, in order: the explicit map; matching against the senders'
// outbound XEXCH50 attempts (time within ±skew, same byte count), where one domain explains most of
// the host's events and the median of the matched time differences estimates the host's clock
// offset; the host's firewall-log rows showing connections to port 25 of an address the sender used
// for a domain. Pure logic over plain rows: the SQL that feeds it is in evidence.ts.
import { RULES } from './rules.js';
import { mappedDomains } from './firewall-map.js';

export interface FirewallEvent {
  host: string;
  recordId: number | null;
  time: bigint;
  /** The number after `XEXCH50`, as logged (may be cut, see `truncated`). */
  bytesText: string;
  /** Data ended at the length where ISA may cut it: the real count may have more digits. */
  truncated: boolean;
}

export interface XexchAttempt {
  domain: string;
  time: bigint;
  bytes: number;
  sessionKey: string | null;
}

/** Per firewall host, the port-25 destination addresses its firewall log shows, with row counts. */
export type FirewallDestinations = Map<string, Map<string, number>>;

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
  firewallDestinations: FirewallDestinations;
  /** Remote IPs the sender connected to, per domain (outbound sessions). */
  domainAddresses: Map<string, Set<string>>;
  firewallMap?: Map<string, string[]>;
  skewSeconds: number;
}

export function bytesMatch(event: FirewallEvent, attemptBytes: number): boolean {
  const text = String(attemptBytes);
  return event.truncated ? text.startsWith(event.bytesText) : text === event.bytesText;
}

interface DomainMatch {
  domain: string;
  offsetNs: bigint | null;
  pairs: { event: FirewallEvent; attempt: XexchAttempt }[];
}

function median(values: bigint[]): bigint {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2n;
}

/** First index whose time is >= t in attempts sorted by time. */
function lowerBound(attempts: XexchAttempt[], t: bigint): number {
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
 * Matches a host's events against one domain's attempts (sorted by time): finds the clock offset
 * within ±skew that pairs the most events (densest cluster of time differences, tolerance wide),
 * then pairs events one-to-one at that offset, closest first.
 */
function matchDomain(domain: string, events: FirewallEvent[], attempts: XexchAttempt[], skewNs: bigint): DomainMatch {
  const toleranceNs = BigInt(Math.round(RULES.attribution.toleranceSeconds * 1e9));
  const diffs: bigint[] = [];
  for (const event of events) {
    const from = lowerBound(attempts, event.time - skewNs - toleranceNs);
    for (let i = from; i < attempts.length && attempts[i].time <= event.time + skewNs + toleranceNs; i++) {
      if (bytesMatch(event, attempts[i].bytes)) diffs.push(event.time - attempts[i].time);
    }
  }
  if (diffs.length === 0) return { domain, offsetNs: null, pairs: [] };
  diffs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let best = { from: 0, to: 0 };
  for (let from = 0, to = 0; from < diffs.length; from++) {
    while (to < diffs.length && diffs[to] - diffs[from] <= 2n * toleranceNs) to++;
    if (to - from > best.to - best.from) best = { from, to };
  }
  const offsetNs = median(diffs.slice(best.from, best.to));

  const used = new Set<XexchAttempt>();
  const pairs: DomainMatch['pairs'] = [];
  for (const event of [...events].sort((a, b) => (a.time < b.time ? -1 : 1))) {
    const expected = event.time - offsetNs;
    let chosen: XexchAttempt | null = null;
    let chosenGap = 0n;
    const from = lowerBound(attempts, expected - toleranceNs);
    for (let i = from; i < attempts.length && attempts[i].time <= expected + toleranceNs; i++) {
      const attempt = attempts[i];
      if (used.has(attempt) || !bytesMatch(event, attempt.bytes)) continue;
      const gap = attempt.time > expected ? attempt.time - expected : expected - attempt.time;
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
  // The reported offset is the median over the final one-to-one pairs.
  const finalOffset = pairs.length > 0 ? median(pairs.map((p) => p.event.time - p.attempt.time)) : null;
  return { domain, offsetNs: finalOffset, pairs };
}

function byMostPairs(a: DomainMatch, b: DomainMatch): number {
  return b.pairs.length - a.pairs.length || a.domain.localeCompare(b.domain);
}

function shortName(host: string): string {
  return host.toLowerCase().split('.')[0];
}

export function attributeFirewallEvents(input: AttributionInput): Attribution {
  const skewNs = BigInt(Math.round(input.skewSeconds * 1e9));
  const attemptsByDomain = new Map<string, XexchAttempt[]>();
  for (const attempt of input.attempts) {
    const list = attemptsByDomain.get(attempt.domain) ?? [];
    list.push(attempt);
    attemptsByDomain.set(attempt.domain, list);
  }
  for (const list of attemptsByDomain.values()) list.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));

  const eventsByHost = new Map<string, FirewallEvent[]>();
  for (const event of input.events) {
    const list = eventsByHost.get(event.host) ?? [];
    list.push(event);
    eventsByHost.set(event.host, list);
  }

  const result: Attribution = { hosts: [], eventsByDomain: new Map(), pairsByDomain: new Map() };
  const give = (domain: string, events: FirewallEvent[], pairs: DomainMatch['pairs']): void => {
    result.eventsByDomain.set(domain, [...(result.eventsByDomain.get(domain) ?? []), ...events]);
    result.pairsByDomain.set(domain, [...(result.pairsByDomain.get(domain) ?? []), ...pairs]);
  };

  for (const [host, events] of [...eventsByHost].sort(([a], [b]) => a.localeCompare(b))) {
    const mapped = mappedDomains(input.firewallMap, host);
    const candidates = mapped ?? [...attemptsByDomain.keys()];
    const matches = candidates
      .map((domain) => matchDomain(domain, events, attemptsByDomain.get(domain) ?? [], skewNs))
      .sort(byMostPairs);
    const best = matches[0];
    const offset = best && best.offsetNs !== null ? Number(best.offsetNs) / 1e9 : null;
    const entry = (method: AttributionMethod, domains: string[], matched: number): FirewallHostAttribution => ({
      host,
      domains,
      method,
      clockOffsetSeconds: matched > 0 ? offset : null,
      events: events.length,
      matched,
    });

    if (mapped) {
      // Several domains behind one host: each event goes to the domain it was paired with; the
      // rest to the domain that explains most (or the first listed when nothing matched).
      const paired = new Set<FirewallEvent>();
      for (const m of matches) {
        const own = m.pairs.filter((p) => !paired.has(p.event));
        own.forEach((p) => paired.add(p.event));
        give(m.domain, own.map((p) => p.event), own);
      }
      const fallback = best && best.pairs.length > 0 ? best.domain : mapped[0];
      give(fallback, events.filter((e) => !paired.has(e)), []);
      result.hosts.push(entry('map', mapped, paired.size));
      continue;
    }

    if (best && best.pairs.length > 0 && best.pairs.length >= RULES.attribution.minShare * events.length) {
      give(best.domain, events, best.pairs);
      result.hosts.push(entry('matching', [best.domain], best.pairs.length));
      continue;
    }

    const viaFirewallLog = domainFromFirewallLog(host, input.firewallDestinations, input.domainAddresses);
    if (viaFirewallLog) {
      give(viaFirewallLog, events, []);
      result.hosts.push(entry('firewall-log', [viaFirewallLog], 0));
      continue;
    }
    result.hosts.push(entry('unattributed', [], 0));
  }
  return result;
}

/** The domain whose sender-side addresses this host's firewall log shows most connections to. */
function domainFromFirewallLog(
  host: string,
  destinations: FirewallDestinations,
  domainAddresses: Map<string, Set<string>>,
): string | null {
  const rows = [...destinations].find(([h]) => shortName(h) === shortName(host))?.[1];
  if (!rows) return null;
  let best: { domain: string; count: number } | null = null;
  for (const [domain, addresses] of [...domainAddresses].sort(([a], [b]) => a.localeCompare(b))) {
    let count = 0;
    for (const [ip, n] of rows) if (addresses.has(ip)) count += n;
    if (count > 0 && (!best || count > best.count)) best = { domain, count };
  }
  return best?.domain ?? null;
}
