// Exchange 2007/2010/2013+ message-tracking logs (`MSGTRK*.LOG`), log-formats.md §5: CSV with
// `#Fields`, times ISO 8601 UTC. Columns are bound by name, so the 21 (2007), 26 (2010) and 30
// (2013+) field layouts all load. A row lists several recipients; it becomes one record per recipient.
import type { ByteSource, ReadContext, Reader, StoredRecord } from '../types.js';
import type { TrackingRecord } from '../../store/records.js';
import { bindColumns, fieldInteger, fieldText, type ColumnIndex } from '../text/directives.js';
import { exchangeLogType, readExchangeCsvLog } from '../text/exchange-csv-log.js';
import { addressDomain } from '../smtp/smtp-text.js';
import { exchange2007Kind } from '../../knowledge/tracking-events.js';
import { findStatusCode } from '../../knowledge/status-codes.js';
import { nanosFromIso } from '../../util/timezone.js';
import { splitRecipients, statusesFor } from './recipients.js';

const LOG_TYPE = 'Message Tracking Log';

const ALIASES = {
  time: ['date-time'],
  clientIp: ['client-ip'],
  clientHost: ['client-hostname'],
  serverIp: ['server-ip'],
  serverHost: ['server-hostname'],
  connector: ['connector-id'],
  sourceContext: ['source-context'],
  source: ['source'],
  event: ['event-id'],
  internalId: ['internal-message-id'],
  messageId: ['message-id'],
  recipients: ['recipient-address'],
  status: ['recipient-status'],
  bytes: ['total-bytes'],
  recipientCount: ['recipient-count'],
  subject: ['message-subject'],
  sender: ['sender-address'],
} as const;

type Column = keyof typeof ALIASES;

function sniff(head: Buffer): boolean {
  return exchangeLogType(head)?.toLowerCase() === LOG_TYPE.toLowerCase();
}

async function* read(source: ByteSource, ctx: ReadContext): AsyncGenerator<StoredRecord> {
  ctx.timeRule('UTC as logged (ISO 8601 date-time with Z)');
  let columns: ColumnIndex<Column> = bindColumns([], ALIASES);
  let generation = -1;
  for await (const row of readExchangeCsvLog(source, ctx)) {
    if (row.replayed) continue;
    if (row.header.generation !== generation) {
      generation = row.header.generation;
      columns = bindColumns(row.header.fields ?? [], ALIASES);
    }
    const c = columns;
    const { fields } = row;
    const timeText = fieldText(fields, c.time);
    const time = timeText === null ? null : nanosFromIso(timeText);
    if (time === null) {
      ctx.issue({ severity: 'error', line: row.lineNo, offset: row.offset, message: `line ${row.lineNo}: date-time is not an ISO 8601 time: "${timeText ?? ''}"`, rejected: true });
      continue;
    }
    const event = fieldText(fields, c.event);
    // On SEND rows server-* name the next hop and client-* the sending server (§2.2, inferred); on
    // RECEIVE rows client-* is the party that handed the message over.
    const upperEvent = event?.toUpperCase() ?? null;
    const outbound = upperEvent === 'SEND';
    const serverHost = fieldText(fields, c.serverHost);
    const clientHost = fieldText(fields, c.clientHost);
    const base = {
      table: 'tracking' as const,
      time,
      server: outbound ? (clientHost ?? serverHost) : serverHost,
      format_version: row.header.version,
      raw_event: event,
      event_kind: event === null ? 'other' : exchange2007Kind(event),
      message_id: fieldText(fields, c.messageId),
      internal_id: fieldText(fields, c.internalId),
      sender: fieldText(fields, c.sender),
      partner: outbound ? serverHost : upperEvent === 'RECEIVE' ? clientHost : null,
      client_ip: fieldText(fields, c.clientIp),
      server_ip: fieldText(fields, c.serverIp),
      size_bytes: fieldInteger(fields, c.bytes),
      recipient_count: fieldInteger(fields, c.recipientCount),
      subject: fieldText(fields, c.subject),
      source: fieldText(fields, c.source),
      connector: fieldText(fields, c.connector),
      source_context: fieldText(fields, c.sourceContext),
      line_no: row.lineNo,
    };
    const recipients = splitRecipients(fieldText(fields, c.recipients));
    const statuses = statusesFor(recipients.length, fieldText(fields, c.status));
    if (recipients.length === 0) {
      yield record(base, null, statuses[0]);
      continue;
    }
    for (let i = 0; i < recipients.length; i++) yield record(base, recipients[i], statuses[i] ?? null);
  }
}

function record(base: Omit<TrackingRecord, 'recipient' | 'recipient_domain' | 'recipient_status' | 'dsn_code'>, recipient: string | null, status: string | null): TrackingRecord {
  return {
    ...base,
    recipient,
    recipient_domain: addressDomain(recipient),
    recipient_status: status,
    dsn_code: findStatusCode(status),
  };
}

export const msgtrkReader: Reader = {
  name: 'exchange2007-tracking',
  version: '1',
  description: 'Exchange 2007/2010/2013+ message tracking log (MSGTRK*.LOG, CSV, UTC)',
  growable: true,
  sniff,
  read,
};
