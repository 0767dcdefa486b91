// Small hand-built stores for the diagnosis tests: one builder per look-alike, each producing the
// records the readers would store for it (tracking rows, outbound SMTP sessions and their lines,
// SmtpEvt events, firewall-log rows, queue snapshots), loaded with the store's loadRecords.
import { join } from 'node:path';
import { openStore, type Store } from '../../src/store/store.js';
import { loadRecords } from '../../src/store/ingest.js';
import type {
  EventRecord,
  FirewallLogRecord,
  QueueSnapshotRecord,
  SmtpLineRecord,
  SmtpSessionRecipient,
  SmtpSessionRecord,
  StoredRecord,
  TrackingRecord,
} from '../../src/store/records.js';
import { nanosFromIso } from '../../src/util/timezone.js';
import { tempDir } from '../helpers/cli.js';

export const T0 = nanosFromIso('2007-03-08T08:00:00Z')!;
export const SEC = 1_000_000_000n;
export const MIN = 60n * SEC;
export const HOUR = 60n * MIN;
export const SENDER = 'EXCH01';

export function at(offset: bigint): bigint {
  return T0 + offset;
}

export function track(time: bigint, kind: string, msg: string, recipient: string, extra: Partial<TrackingRecord> = {}): TrackingRecord {
  return {
    table: 'tracking',
    time,
    server: SENDER,
    event_kind: kind,
    raw_event: kind,
    message_id: msg,
    recipient,
    recipient_domain: recipient.split('@')[1],
    ...extra,
  } as TrackingRecord;
}

let sessionCounter = 0;

export interface SessionSpec {
  time: bigint;
  ip: string;
  recipients?: { address: string; code: number; text?: string }[];
  banner?: number | null;
  xexch50?: { bytes: number; outcome: 'accepted' | 'refused-504' | 'dropped-after-354'; replyCode?: number };
  endReason?: string;
  ehloRefused?: boolean;
  maskedVerbs?: boolean;
}

/** One outbound session, plus its XEXCH50 line when it sent one. */
export function session(spec: SessionSpec): StoredRecord[] {
  const key = `s${++sessionCounter}`;
  const recipients: SmtpSessionRecipient[] = (spec.recipients ?? []).map((r) => ({
    recipient: r.address,
    domain: r.address.split('@')[1],
    reply_code: r.code,
    reply_text: r.text ?? `${r.code} OK`,
  }));
  const domains = [...new Set(recipients.map((r) => r.domain))];
  const x = spec.xexch50;
  const record = {
    table: 'smtp_sessions',
    session_key: key,
    server: SENDER,
    direction: 'outbound',
    start_time: spec.time,
    end_time: spec.time + 2n * SEC,
    remote_ip: spec.ip,
    banner_code: spec.banner === undefined ? 220 : spec.banner,
    greeting: spec.ehloRefused ? 'HELO' : spec.banner === null ? null : 'EHLO',
    ehlo_refused: spec.ehloRefused ?? false,
    masked_verbs: spec.maskedVerbs ?? false,
    xexch50_advertised: x ? true : null,
    xexch50_sent: Boolean(x),
    xexch50_bytes: x?.bytes ?? null,
    xexch50_reply_code: x ? (x.replyCode ?? (x.outcome === 'refused-504' ? 504 : x.outcome === 'accepted' ? 250 : 354)) : null,
    xexch50_reply_text: x?.outcome === 'refused-504' ? '504 Need to authenticate first' : null,
    xexch50_outcome: x?.outcome ?? null,
    recipients_accepted: recipients.filter((r) => (r.reply_code ?? 0) < 400).length,
    recipients_rejected: recipients.filter((r) => (r.reply_code ?? 0) >= 400).length,
    recipient_domains: domains.length > 0 ? domains.join(',') : null,
    end_reason: spec.endReason ?? (x?.outcome === 'dropped-after-354' ? 'dropped-after-xexch50' : 'completed'),
    recipients,
  } as SmtpSessionRecord;
  const out: StoredRecord[] = [record];
  if (x) {
    out.push({
      table: 'smtp_lines',
      time: spec.time + SEC,
      server: SENDER,
      direction: 'outbound',
      session_key: key,
      remote_ip: spec.ip,
      verb: 'XEXCH50',
      argument: `${x.bytes} 2`,
    } as SmtpLineRecord);
  }
  return out;
}

let recordCounter = 0;

/** SmtpEvt 20031 with Binary data text such as `XEXCH50 1020`; null data = Event Viewer CSV export. */
export function smtpEvt(host: string, time: bigint, data: string | null): EventRecord {
  return {
    table: 'events',
    record_id: ++recordCounter,
    time_created: time,
    provider: 'SmtpEvt',
    event_id: 20031,
    qualifiers: 0xc000,
    level: 2,
    channel: 'Application',
    computer: host,
    message: data === null ? 'An unknown SMTP command' : null,
    binary: data === null ? null : new TextEncoder().encode(data),
    binary_text: data,
    data: [],
  } as unknown as EventRecord;
}

export function firewallRow(host: string, time: bigint, sourceIp: string, destIp: string, action: string): FirewallLogRecord {
  return {
    table: 'firewall_log',
    time,
    isa_host: host,
    log_kind: 'firewall',
    protocol: 'TCP',
    source_ip: sourceIp,
    source_port: 1025,
    dest_ip: destIp,
    dest_port: 25,
    action,
  } as FirewallLogRecord;
}

export function queueSnapshot(time: bigint, domain: string, state: string, count: number, oldest: bigint | null, lastError: string | null): QueueSnapshotRecord {
  return {
    table: 'queue_snapshots',
    snapshot_time: time,
    server: SENDER,
    queue_name: domain,
    link_name: domain,
    next_hop_domain: domain,
    state,
    message_count: count,
    oldest_message_time: oldest,
    last_error: lastError,
  } as QueueSnapshotRecord;
}

// ---- One builder per look-alike -----------------------------------------------------------

export interface Built {
  records: StoredRecord[];
}

/**
 * KB 818222: `messages` messages, each tried `tries` times 10 minutes apart, every try cut after
 * the XEXCH50 blob; the first message expires (4.4.7 NDR), the rest stay queued. With
 * `firewall`, the ISA host logs SmtpEvt 20031 `XEXCH50 <n>` for each try on its own clock.
 */
export function blockedDomain(
  domain: string,
  ip: string,
  options: { messages?: number; tries?: number; firewall?: { host: string; offsetSeconds: number; cutAt12?: boolean }; sender?: boolean; firstBytes?: number } = {},
): StoredRecord[] {
  const messages = options.messages ?? 3;
  const tries = options.tries ?? 3;
  const out: StoredRecord[] = [];
  for (let m = 0; m < messages; m++) {
    const msg = `<${domain}-m${m}@fabrikam.example>`;
    const rcpt = `user${m}@${domain}`;
    const queued = at(BigInt(m) * 7n * MIN);
    const bytes = (options.firstBytes ?? 1020) + 16 * m;
    if (options.sender !== false) out.push(track(queued, 'queued-remote', msg, rcpt));
    for (let t = 0; t < tries; t++) {
      const time = queued + BigInt(t) * 10n * MIN + 5n * SEC;
      if (options.sender !== false) {
        out.push(track(time, 'transfer-begin', msg, rcpt));
        out.push(...session({ time, ip, recipients: [{ address: rcpt, code: 250 }], xexch50: { bytes, outcome: 'dropped-after-354' } }));
      }
      if (options.firewall) {
        const fwTime = time + SEC + BigInt(options.firewall.offsetSeconds) * SEC;
        const data = `XEXCH50 ${bytes}`;
        out.push(smtpEvt(options.firewall.host, fwTime, options.firewall.cutAt12 ? data.slice(0, 12) : data));
      }
    }
    if (m === 0 && options.sender !== false) {
      out.push(track(queued + 48n * HOUR, 'ndr', msg, rcpt, { dsn_code: '4.4.7', recipient_status: '#4.4.7' }));
    }
  }
  return out;
}

/** Mail flows; XEXCH50 answered `504 Need to authenticate first` (harmless). */
export function harmless504Domain(domain: string, ip: string, messages = 3): StoredRecord[] {
  const out: StoredRecord[] = [];
  for (let m = 0; m < messages; m++) {
    const msg = `<${domain}-m${m}@fabrikam.example>`;
    const rcpt = `user${m}@${domain}`;
    const time = at(BigInt(m) * 11n * MIN);
    out.push(track(time, 'queued-remote', msg, rcpt), track(time + 3n * SEC, 'transfer-begin', msg, rcpt), track(time + 5n * SEC, 'sent', msg, rcpt));
    out.push(...session({ time: time + 3n * SEC, ip, recipients: [{ address: rcpt, code: 250 }], xexch50: { bytes: 990 + m, outcome: 'refused-504' } }));
  }
  return out;
}

/** Mail flows; XEXCH50 accepted. */
export function acceptedDomain(domain: string, ip: string, messages = 2): StoredRecord[] {
  const out: StoredRecord[] = [];
  for (let m = 0; m < messages; m++) {
    const msg = `<${domain}-m${m}@fabrikam.example>`;
    const rcpt = `user${m}@${domain}`;
    const time = at(BigInt(m) * 13n * MIN);
    out.push(track(time, 'queued-remote', msg, rcpt), track(time + 4n * SEC, 'sent', msg, rcpt));
    out.push(...session({ time: time + 2n * SEC, ip, recipients: [{ address: rcpt, code: 250 }], xexch50: { bytes: 1500 + m, outcome: 'accepted' } }));
  }
  return out;
}

/** 4xx deferrals (greylisting), then delivered. */
export function transientDomain(domain: string, ip: string): StoredRecord[] {
  const msg = `<${domain}-m0@fabrikam.example>`;
  const rcpt = `user0@${domain}`;
  const t = at(0n);
  return [
    track(t, 'queued-remote', msg, rcpt),
    ...session({ time: t + SEC, ip, recipients: [{ address: rcpt, code: 451, text: '451 4.7.1 Greylisted, try again later' }], endReason: 'quit' }),
    track(t + 2n * SEC, 'defer', msg, rcpt, { recipient_status: '451 4.7.1 Greylisted' }),
    ...session({ time: t + 10n * MIN, ip, recipients: [{ address: rcpt, code: 250 }] }),
    track(t + 10n * MIN + 2n * SEC, 'sent', msg, rcpt),
  ];
}

/** No host found: 5.4.0 NDRs, no session at all, queue says DNS. */
export function dnsDomain(domain: string): StoredRecord[] {
  const out: StoredRecord[] = [];
  for (let m = 0; m < 2; m++) {
    const msg = `<${domain}-m${m}@fabrikam.example>`;
    const rcpt = `user${m}@${domain}`;
    const t = at(BigInt(m) * 20n * MIN);
    out.push(track(t, 'queued-remote', msg, rcpt), track(t + 48n * HOUR, 'ndr', msg, rcpt, { dsn_code: '5.4.0', recipient_status: '#5.4.0' }));
  }
  out.push(queueSnapshot(at(12n * HOUR), domain, 'Retry', 2, at(0n), 'An SMTP protocol error occurred: the host name could not be resolved (DNS)'));
  return out;
}

/**
 * Host does not answer: connects time out before any banner, 4.4.7 on expiry. The sessions carry
 * no recipient; as in an Exchange 2007 SEND log, a `*` line names the destination domain.
 */
export function unreachableDomain(domain: string, ip: string): StoredRecord[] {
  const msg = `<${domain}-m0@fabrikam.example>`;
  const rcpt = `user0@${domain}`;
  const out: StoredRecord[] = [track(at(0n), 'queued-remote', msg, rcpt)];
  for (let t = 0; t < 3; t++) {
    const time = at(BigInt(t) * 10n * MIN + SEC);
    const [record] = session({ time, ip, banner: null, endReason: 'timeout' });
    const key = (record as SmtpSessionRecord).session_key;
    out.push(record, {
      table: 'smtp_lines',
      time: time + 21n * SEC,
      server: SENDER,
      direction: 'outbound',
      session_key: key,
      event: '*',
      argument: `Failed to connect. Winsock error code: 10060, Win32 error code: 10060, Destination domain: ${domain}, Error Message: A connection attempt failed ${ip}:25.`,
    } as SmtpLineRecord);
  }
  out.push(track(at(48n * HOUR), 'ndr', msg, rcpt, { dsn_code: '4.4.7', recipient_status: '#4.4.7' }));
  return out;
}

/** 5.1.1 for one recipient, the others delivered. */
export function recipientRejectedDomain(domain: string, ip: string): StoredRecord[] {
  const msg = `<${domain}-m0@fabrikam.example>`;
  const good = [`anna@${domain}`, `ben@${domain}`];
  const bad = `nobody@${domain}`;
  const t = at(0n);
  return [
    ...[...good, bad].map((r) => track(t, 'queued-remote', msg, r)),
    ...session({
      time: t + SEC,
      ip,
      recipients: [
        { address: good[0], code: 250 },
        { address: bad, code: 550, text: '550 5.1.1 <nobody> User unknown' },
        { address: good[1], code: 250 },
      ],
    }),
    ...good.map((r) => track(t + 3n * SEC, 'sent', msg, r)),
    track(t + 4n * SEC, 'ndr', msg, bad, { dsn_code: '5.1.1', recipient_status: '550 5.1.1 User unknown' }),
  ];
}

/** EHLO masked as XXXX by a PIX-style fixup and refused with 500, HELO fallback, mail delivered. */
export function inspectionDomain(domain: string, ip: string): StoredRecord[] {
  const msg = `<${domain}-m0@fabrikam.example>`;
  const rcpt = `user0@${domain}`;
  const t = at(0n);
  return [
    track(t, 'queued-remote', msg, rcpt),
    ...session({ time: t + SEC, ip, recipients: [{ address: rcpt, code: 250 }], ehloRefused: true }),
    track(t + 3n * SEC, 'sent', msg, rcpt),
  ];
}

export async function storeWith(records: StoredRecord[]): Promise<Store> {
  const store = await openStore(join(tempDir('edgelog-diag-'), 'test.duckdb'));
  await loadRecords(store, 'test-records', 'test', records);
  return store;
}
