// Attribution of firewall SmtpEvt 20031 `XEXCH50 <n>` events to remote domains.
//
// The event names no domain and no address, and the firewall host belongs to the receiving side,
// with its own clock. So, per host, in order: the explicit map; matching against the senders'
// outbound XEXCH50 attempts (time within ±skew, same byte count), where one domain explains most of
// the host's events; the host's firewall-log rows for port 25 that line up in time with one domain's
// XEXCH50 attempts. Only attempts whose acknowledgement never came can have been cut by a firewall.
//
// Matching runs in SQL over the candidate pairs (event, attempt) found at ingest and binned by
// their difference to the millisecond (derived/firewall.ts). A host has one clock, so one offset is
// searched for all its events: the densest cluster (2 × tolerance wide) of event-minus-attempt
// differences; its median is the offset. Each event then pairs with its candidate closest to that
// offset, within the tolerance, and the host's clock offset is the median of the differences of
// those pairs. An attempt may explain more than one event (a record loaded twice).
import type { DuckDBConnection } from '@duckdb/node-api';
import { RULES } from './rules.js';
import { inWindow, queryRows, windowParams, type Window } from './sql.js';
import { mappedDomains } from './firewall-map.js';
import { PRECOMPUTED_SKEW_SECONDS, candidateBinsSelect, candidateBoundMs, candidatesSelect, eventKey, smtpFilterCountsIn, XEXCH50_EVENTS } from './derived/firewall.js';
import { EVERYTHING, literal, type Scope } from './derived/sql-text.js';

export interface FirewallEvent {
  host: string;
  recordId: number | null;
  /** As logged, on the host's clock: ms since the epoch. */
  time: number;
  /** The number after `XEXCH50`, as logged (may be cut at the documented Data length). */
  bytesText: string;
}

export interface MatchedPair {
  event: FirewallEvent;
  /** The sender's attempt: its time (ms since the epoch, sender's clock) and byte count. */
  attempt: { time: number; bytes: number };
}

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

/** What one domain was given: its events (count, first and last time, the earliest few) and matched pairs. */
export interface DomainAttribution {
  /** Firewall hosts whose events were given to the domain. */
  hosts: string[];
  events: number;
  first: number | null;
  last: number | null;
  examples: FirewallEvent[];
  pairs: number;
  pairExamples: MatchedPair[];
}

export interface Attribution {
  hosts: FirewallHostAttribution[];
  byDomain: Map<string, DomainAttribution>;
}

export interface AttributionOptions {
  window: Window;
  firewallMap?: Map<string, string[]>;
  skewSeconds: number;
}

const toleranceMs = RULES.attribution.toleranceSeconds * 1000;
const perKind = RULES.examples.perKind;

const inWindowAt = (column: string): Scope => (alias) => inWindow(`${alias}.${column}`);

/** Candidate pairs in the window: the ones found at ingest when the skew allows, else found now. */
function candidateSource(skewSeconds: number): string {
  if (skewSeconds <= PRECOMPUTED_SKEW_SECONDS) {
    return `(SELECT * FROM xexch50_candidates WHERE ${inWindow('time_created')} AND ${inWindow('attempt_start')})`;
  }
  return `(${candidatesSelect(inWindowAt('time_created'), inWindowAt('start_time'), candidateBoundMs(skewSeconds))})`;
}

/** The candidates binned by difference: kept in the store for all time and the default skew, else binned now. */
function binSource(options: AttributionOptions): string {
  const open = options.window.since === null && options.window.until === null;
  if (open && options.skewSeconds <= PRECOMPUTED_SKEW_SECONDS) return 'xexch50_candidate_bins';
  return `(${candidateBinsSelect(candidateSource(options.skewSeconds), EVERYTHING)})`;
}

/**
 * Per host, the offset (ms) of the densest cluster (2 × tolerance wide, the earliest of equals) in
 * a histogram (host, diff, n) of differences within ±reach: the median of the cluster.
 */
function clusterOffsetSql(histogram: string): string {
  return `WITH histogram AS (SELECT * FROM (${histogram}) WHERE abs(diff) <= $reach),
    densest AS (
      SELECT host, arg_max(diff, (within, -diff)) AS start FROM (
        SELECT host, diff, sum(n) OVER (PARTITION BY host ORDER BY diff RANGE BETWEEN CURRENT ROW AND $width FOLLOWING) AS within
          FROM histogram)
       GROUP BY host
    )
    ${histogramMedian('(SELECT h.* FROM histogram h JOIN densest d USING (host) WHERE h.diff BETWEEN d.start AND d.start + $width)')}`;
}

/** Per host, the median of a histogram (host, diff, n): the mean of the two middle values for an even count. */
function histogramMedian(histogram: string): string {
  return `SELECT host, (min(diff) FILTER (WHERE below >= (total + 1) // 2) + min(diff) FILTER (WHERE below >= total // 2 + 1)) / 2 AS offset_ms
      FROM (SELECT host, diff, sum(n) OVER (PARTITION BY host ORDER BY diff) AS below, sum(n) OVER (PARTITION BY host) AS total FROM ${histogram})
     GROUP BY host`;
}

interface HostPlan {
  host: string;
  events: number;
  /** Domains the map puts behind this host, undefined when it names none. */
  mapped?: string[];
}

/** Candidates of mapped hosts are limited to the mapped domains. */
function allowedSql(plans: HostPlan[]): string {
  const mappedHosts = plans.filter((p) => p.mapped).map((p) => literal(p.host));
  if (mappedHosts.length === 0) return 'true';
  // host TAB domain: neither a host name nor a domain holds a tab.
  const pairs = plans.flatMap((p) => (p.mapped ?? []).map((d) => literal(`${p.host}\t${d}`)));
  return `(host NOT IN (${mappedHosts.join(', ')}) OR host || chr(9) || domain IN (${pairs.join(', ')}))`;
}

const offsetValues = (offsets: Map<string, number>): string =>
  `(VALUES ${[...offsets].map(([host, offset]) => `(${literal(host)}, ${offset})`).join(', ')}) o(host, offset_ms)`;

interface PairRow {
  host: string;
  domain: string;
  pairs: number;
  first: number;
  last: number;
  examples: { recordId: number | null; time: number; bytesText: string; attemptTime: number; attemptBytes: number }[];
  offset_ms: number;
}

/**
 * The pairs at the hosts' offsets, per host and domain: an event with one candidate within the
 * tolerance is paired with it (summed in its bin); one with several, with the closest.
 */
async function matchedPairs(connection: DuckDBConnection, bins: string, offsets: Map<string, number>, allowed: string, window: Window): Promise<PairRow[]> {
  if (offsets.size === 0) return [];
  return queryRows<PairRow>(
    connection,
    `WITH near AS (
       SELECT b.*, o.offset_ms FROM ${bins} b JOIN ${offsetValues(offsets)} USING (host)
        WHERE abs(b.diff - o.offset_ms) <= ${toleranceMs} AND ${allowed}
     ),
     chosen AS (
       SELECT host, domain, x.* FROM (SELECT host, domain, offset_ms, unnest(ambiguous) AS x FROM near)
       QUALIFY row_number() OVER (PARTITION BY x.event_key ORDER BY abs(x.diff_ms - offset_ms), x.attemptTime, domain) = 1
     ),
     pairs AS MATERIALIZED (
       SELECT host, domain, diff, sole AS n, first_ms, last_ms, examples FROM near WHERE sole > 0
       UNION ALL
       SELECT host, domain, round(diff_ms), 1, time, time,
              [{'time': time, 'recordId': recordId, 'bytesText': bytesText, 'attemptTime': attemptTime, 'attemptBytes': attemptBytes}]
         FROM chosen
     ),
     offsets AS (${histogramMedian('(SELECT host, diff, sum(n) AS n FROM pairs GROUP BY ALL)')})
     SELECT host, domain, sum(n)::INTEGER AS pairs, min(first_ms) AS first, max(last_ms) AS last,
            -- Examples start with their time: sorted, the earliest come first.
            list_slice(list_sort(flatten(list(examples))), 1, $perKind) AS examples, any_value(o.offset_ms) AS offset_ms
       FROM pairs JOIN offsets o USING (host) GROUP BY host, domain`,
    { ...windowParams(window), perKind: { bigint: BigInt(perKind) } },
  );
}

interface UnpairedRow {
  host: string;
  first: number;
  last: number;
  examples: { recordId: number | null; time: number; bytesText: string }[];
}

/** The events of `hosts` without a candidate within the tolerance of their host's offset: their span and earliest few. */
async function unpairedEvents(
  connection: DuckDBConnection,
  hosts: string[],
  offsets: Map<string, number>,
  allowed: string,
  options: AttributionOptions,
): Promise<Map<string, UnpairedRow>> {
  const paired =
    offsets.size === 0
      ? ''
      : `AND ${eventKey('e')} NOT IN (
           SELECT event_key FROM ${candidateSource(options.skewSeconds)} c JOIN ${offsetValues(offsets)} USING (host)
            WHERE abs(c.diff_ms - o.offset_ms) <= ${toleranceMs} AND ${allowed})`;
  const rows = await queryRows<UnpairedRow>(
    connection,
    `SELECT host, min(time_ms) AS first, max(time_ms) AS last,
            min_by({'recordId': CAST(record_id AS DOUBLE), 'time': time_ms, 'bytesText': bytes}, (time_ms, ${eventKey('e')}), $perKind) AS examples
       FROM smtp_filter_events e
      WHERE ${XEXCH50_EVENTS} AND ${inWindow('time_created')} AND host IN (SELECT unnest($hosts)) ${paired}
      GROUP BY host`,
    { ...windowParams(options.window), hosts, perKind: { bigint: BigInt(perKind) } },
  );
  return new Map(rows.map((r) => [r.host, r]));
}

/**
 * The domain whose XEXCH50 attempts line up in time (at one clock offset within ±skew) with most
 * of this host's port-25 connections in its firewall log. The firewall log names no domain and
 * its destination is the published (internal) server, so time is the only link to the sender.
 */
async function domainFromFirewallLog(connection: DuckDBConnection, host: string, options: AttributionOptions): Promise<string | null> {
  const reach = options.skewSeconds * 1000 + toleranceMs;
  const diffs = `SELECT $host AS host, c.connection, a.domain, c.time_ms - a.time_ms AS diff_ms
      FROM (SELECT row_number() OVER () AS connection, epoch_ns(time) / 1e6 AS time_ms FROM firewall_log
             WHERE dest_port = $port AND time IS NOT NULL AND ${inWindow('time')} AND split_part(lower(isa_host), '.', 1) = $short) c
      JOIN (SELECT domain, time_ms FROM xexch50_attempts_in($since, $until)
             WHERE blocked AND domain IS NOT NULL AND time_ms IS NOT NULL AND TRY_CAST(bytes AS INTEGER) IS NOT NULL) a
        ON a.time_ms BETWEEN c.time_ms - $reach AND c.time_ms + $reach`;
  const rows = await queryRows<{ domain: string }>(
    connection,
    `WITH host_offset AS (${clusterOffsetSql(`SELECT host, round(diff_ms) AS diff, count(*) AS n FROM (${diffs}) GROUP BY ALL`)})
     SELECT domain FROM (
       SELECT d.domain FROM (${diffs}) d JOIN host_offset o USING (host)
        WHERE abs(d.diff_ms - o.offset_ms) <= ${toleranceMs}
       QUALIFY row_number() OVER (PARTITION BY d.connection ORDER BY abs(d.diff_ms - o.offset_ms), d.domain) = 1)
      GROUP BY domain ORDER BY count(*) DESC, domain LIMIT 1`,
    {
      ...windowParams(options.window),
      host,
      short: host.toLowerCase().split('.')[0],
      port: RULES.attribution.smtpPort,
      reach,
      width: 2 * toleranceMs,
    },
  );
  return rows[0]?.domain ?? null;
}

function emptyDomain(): DomainAttribution {
  return { hosts: [], events: 0, first: null, last: null, examples: [], pairs: 0, pairExamples: [] };
}

export async function attributeFirewallEvents(connection: DuckDBConnection, options: AttributionOptions): Promise<Attribution> {
  const hostRows = await queryRows<{ host: string; events: number }>(
    connection,
    `SELECT host, sum(events)::INTEGER AS events FROM ${smtpFilterCountsIn(options.window)} WHERE xexch50 GROUP BY host ORDER BY host`,
    windowParams(options.window),
  );
  const result: Attribution = { hosts: [], byDomain: new Map() };
  if (hostRows.length === 0) return result;
  const plans: HostPlan[] = hostRows.map((h) => ({ ...h, mapped: mappedDomains(options.firewallMap, h.host) }));
  const bins = binSource(options);
  const allowed = allowedSql(plans);
  const offsetRows = await queryRows<{ host: string; offset_ms: number }>(
    connection,
    clusterOffsetSql(`SELECT host, diff, sum(candidates) AS n FROM ${bins} WHERE ${allowed} GROUP BY ALL`),
    { ...windowParams(options.window), reach: options.skewSeconds * 1000 + toleranceMs, width: 2 * toleranceMs },
  );
  const offsets = new Map(offsetRows.map((r) => [r.host, r.offset_ms]));
  const pairRows = await matchedPairs(connection, bins, offsets, allowed, options.window);

  const domain = (name: string, host: string): DomainAttribution => {
    const entry = result.byDomain.get(name) ?? emptyDomain();
    if (!entry.hosts.includes(host)) entry.hosts.push(host);
    result.byDomain.set(name, entry);
    return entry;
  };
  const unpairedHosts: { host: string; rest: string }[] = [];
  for (const plan of plans) {
    const own = pairRows.filter((r) => r.host === plan.host).sort((a, b) => b.pairs - a.pairs || a.domain.localeCompare(b.domain));
    const matched = own.reduce((n, r) => n + r.pairs, 0);
    const entry = (method: AttributionMethod, domains: string[]): FirewallHostAttribution => {
      const paired = (method === 'map' || method === 'matching') && matched > 0;
      return {
        host: plan.host,
        domains,
        method,
        clockOffsetSeconds: paired ? Math.round(own[0].offset_ms) / 1000 : null,
        events: plan.events,
        matched: paired ? matched : 0,
      };
    };
    const distribute = (rest: string): void => {
      for (const r of own) {
        const d = domain(r.domain, plan.host);
        d.events += r.pairs;
        d.pairs += r.pairs;
        d.first = Math.min(d.first ?? Infinity, r.first);
        d.last = Math.max(d.last ?? -Infinity, r.last);
        d.examples.push(...r.examples.map((x) => ({ host: plan.host, recordId: x.recordId, time: x.time, bytesText: x.bytesText })));
        d.pairExamples.push(
          ...r.examples.map((x) => ({
            event: { host: plan.host, recordId: x.recordId, time: x.time, bytesText: x.bytesText },
            attempt: { time: x.attemptTime, bytes: x.attemptBytes },
          })),
        );
      }
      if (plan.events > matched) unpairedHosts.push({ host: plan.host, rest });
    };
    if (plan.mapped) {
      distribute(own[0]?.domain ?? plan.mapped[0]);
      result.hosts.push(entry('map', plan.mapped));
      continue;
    }
    if (matched > 0 && matched >= RULES.attribution.minShare * plan.events) {
      distribute(own[0].domain);
      result.hosts.push(entry('matching', own.map((r) => r.domain).sort()));
      continue;
    }
    const viaFirewallLog = await domainFromFirewallLog(connection, plan.host, options);
    if (viaFirewallLog) {
      unpairedHosts.push({ host: plan.host, rest: viaFirewallLog });
      result.hosts.push(entry('firewall-log', [viaFirewallLog]));
      continue;
    }
    result.hosts.push(entry('unattributed', []));
  }

  if (unpairedHosts.length > 0) {
    // Hosts attributed by the firewall log pair nothing: all their events are unpaired.
    const pairedHosts = new Set(result.hosts.filter((h) => h.matched > 0).map((h) => h.host));
    const pairedOffsets = new Map([...offsets].filter(([h]) => pairedHosts.has(h)));
    const unpaired = await unpairedEvents(connection, unpairedHosts.map((u) => u.host), pairedOffsets, allowed, options);
    for (const { host, rest } of unpairedHosts) {
      const row = unpaired.get(host);
      const plan = plans.find((p) => p.host === host);
      const taken = result.hosts.find((h) => h.host === host)?.matched ?? 0;
      if (!row || !plan) continue;
      const d = domain(rest, host);
      d.events += plan.events - taken;
      d.first = Math.min(d.first ?? Infinity, row.first);
      d.last = Math.max(d.last ?? -Infinity, row.last);
      d.examples.push(...row.examples.map((x) => ({ host, ...x })));
    }
  }
  for (const d of result.byDomain.values()) {
    d.examples = d.examples.sort((a, b) => a.time - b.time).slice(0, perKind);
    d.pairExamples = d.pairExamples.sort((a, b) => a.event.time - b.event.time).slice(0, perKind);
  }
  return result;
}
