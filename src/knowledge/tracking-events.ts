// Maps raw message-tracking events (Exchange 2000/2003 numeric Event-ID, 2007+ event-id name) to the
// normalised kinds the diagnosis joins on. The mapping is data (tracking-events.json) because most
// 1000-range meanings are unconfirmed and must be correctable without a code change.
import { readFileSync } from 'node:fs';

export const TRACKING_KINDS = [
  'submitted',
  'queued-remote',
  'transfer-begin',
  'sent',
  'defer',
  'ndr',
  'dsn',
  'delivered',
  'failed',
  'received',
  'other',
] as const;

export type TrackingKind = (typeof TRACKING_KINDS)[number];

export interface TrackingEventInfo {
  meaning?: string;
  kind: TrackingKind;
  /** False where log-formats.md marks the meaning unconfirmed. */
  confirmed: boolean;
  /** A report (DR/NDR) event: Recipient-Report-Status refines its kind. */
  report?: boolean;
}

interface TrackingEventTable {
  reportStatusKinds: Record<string, TrackingKind>;
  exchange2003: Record<string, TrackingEventInfo>;
  exchange2007: Record<string, TrackingEventInfo>;
}

const table = JSON.parse(
  readFileSync(new URL('./tracking-events.json', import.meta.url), 'utf8'),
) as TrackingEventTable;

const kindNames: ReadonlySet<string> = new Set(TRACKING_KINDS);
for (const [section, events] of [
  ['exchange2003', table.exchange2003],
  ['exchange2007', table.exchange2007],
] as const) {
  for (const [id, info] of Object.entries(events)) {
    if (!kindNames.has(info.kind)) throw new Error(`tracking-events.json ${section}.${id}: unknown kind "${info.kind}"`);
  }
}

/** Kind of an Exchange 2000/2003 Event-ID; `reportStatus` is the row's Recipient-Report-Status. */
export function exchange2003Kind(eventId: string, reportStatus: string | null): TrackingKind {
  const info = table.exchange2003[eventId];
  if (!info) return 'other';
  if (info.report && reportStatus !== null) return table.reportStatusKinds[reportStatus] ?? info.kind;
  return info.kind;
}

/** Kind of an Exchange 2007+ event-id name (case-insensitive); unknown names are `other`. */
export function exchange2007Kind(eventName: string): TrackingKind {
  return table.exchange2007[eventName.toUpperCase()]?.kind ?? 'other';
}

export function exchange2003EventInfo(eventId: string): TrackingEventInfo | undefined {
  return table.exchange2003[eventId];
}
