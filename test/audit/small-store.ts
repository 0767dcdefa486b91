// Small hand-made stores for the audit tests: records are built with every column null except
// the ones named, and loaded through the store's own loadRecords (same ledger and transaction).
import { TABLES, type StoredRecord, type TableName } from '../../src/store/records.js';
import { loadRecords } from '../../src/store/ingest.js';
import { openStore } from '../../src/store/store.js';
import { nanosFromIso } from '../../src/util/timezone.js';

export function record<T extends TableName>(table: T, values: Record<string, unknown>): StoredRecord {
  const def = TABLES.find((t) => t.name === table)!;
  const row: Record<string, unknown> = { table };
  for (const column of Object.keys(def.columns)) row[column] = values[column] ?? null;
  for (const child of 'children' in def ? def.children : []) row[child.field] = values[child.field] ?? [];
  return row as unknown as StoredRecord;
}

export const t = (iso: string): bigint => nanosFromIso(iso)!;

/** A message to `rcpt` handed to the outbound path, and optionally delivered. */
export function trackingMessage(id: string, rcpt: string, queuedAt: string, extra: Record<string, unknown> = {}): StoredRecord {
  return record('tracking', {
    time: t(queuedAt),
    server: 'EXCH01',
    event_kind: 'queued-remote',
    message_id: id,
    recipient: rcpt,
    recipient_domain: rcpt.split('@')[1],
    ...extra,
  });
}

export function delivered(id: string, rcpt: string, at: string): StoredRecord {
  return record('tracking', {
    time: t(at),
    server: 'EXCH01',
    event_kind: 'sent',
    message_id: id,
    recipient: rcpt,
    recipient_domain: rcpt.split('@')[1],
  });
}

/** An outbound session to `domain` whose XEXCH50 blob got no reply (KB 818222 on the wire). */
export function blockedSession(key: string, domain: string, at: string): StoredRecord {
  return record('smtp_sessions', {
    session_key: key,
    server: 'EXCH01',
    direction: 'outbound',
    start_time: t(at),
    end_time: t(at) + 30_000_000_000n,
    remote_ip: '192.0.2.25',
    remote_host: `mx.${domain}`,
    banner_code: 220,
    greeting: 'EHLO',
    xexch50_advertised: true,
    xexch50_sent: true,
    xexch50_bytes: 1020,
    xexch50_outcome: 'dropped-after-354',
    recipients_accepted: 1,
    recipients_rejected: 0,
    recipient_domains: domain,
    end_reason: 'dropped-after-xexch50',
  });
}

export async function loadInto(dbPath: string, label: string, records: StoredRecord[]): Promise<void> {
  const store = await openStore(dbPath);
  try {
    const result = await loadRecords(store, label, 'test-records', records);
    if (result.status !== 'ok') throw new Error(`loading ${label}: ${result.status} ${result.message}`);
  } finally {
    await store.close();
  }
}
