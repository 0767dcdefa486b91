// Exchange 2000/2003 message-tracking logs (`<Server>.log\yyyymmdd.log`), log-formats.md §3:
// TAB-separated, three `# ` header lines (title, `# Exchange System Attendant Version <v>`, and
// `# Date<TAB>Time<TAB>...` naming the columns), times in GMT. One row per recipient already.
import type { ByteSource, ReadContext, Reader, StoredRecord } from '../types.js';
import type { TrackingRecord } from '../../store/records.js';
import { headText, readLineBatches } from '../text/lines.js';
import { itemsOf } from '../batched.js';
import { splitPlain, UnquotedLine } from '../text/csv.js';
import { bindColumns, type ColumnIndex } from '../text/directives.js';
import { addressDomain } from '../smtp/smtp-text.js';
import { exchange2003Kind } from '../../knowledge/tracking-events.js';
import { findStatusCode } from '../../knowledge/status-codes.js';
import { gmtNanos } from './gmt-time.js';

const TITLE = '# Message Tracking Log File';
const VERSION_PREFIX = '# Exchange System Attendant Version';
const COLUMNS_PREFIX = '# date\t'; // compared lower-cased: column names vary in case (§3.2)

/** The documented column order (§3.3), used only until a `# Date` header line is seen. */
const DOCUMENTED_COLUMNS = [
  'Date', 'Time', 'client-ip', 'Client-hostname', 'Partner-Name', 'Server-hostname', 'server-IP',
  'Recipient-Address', 'Event-ID', 'MSGID', 'Priority', 'Recipient-Report-Status', 'total-bytes',
  'Number-Recipients', 'Origination-Time', 'Encryption', 'service-Version', 'Linked-MSGID',
  'Message-Subject', 'Sender-Address',
];

const ALIASES = {
  date: ['Date'],
  time: ['Time'],
  clientIp: ['client-ip'],
  partner: ['Partner-Name'],
  server: ['Server-hostname'],
  serverIp: ['server-IP'],
  recipient: ['Recipient-Address'],
  event: ['Event-ID'],
  messageId: ['MSGID'],
  reportStatus: ['Recipient-Report-Status'],
  bytes: ['total-bytes'],
  recipients: ['Number-Recipients'],
  serviceVersion: ['service-Version'],
  subject: ['Message-Subject'],
  sender: ['Sender-Address'],
} as const;

type Column = keyof typeof ALIASES;

function sniff(head: Buffer): boolean {
  const text = headText(head);
  const start = text.replace(/^\s+/, '');
  return start.startsWith(TITLE) || /^# Date\tTime\t/im.test(text);
}

/** The records of each chunk of lines. */
async function* readBatches(source: ByteSource, ctx: ReadContext): AsyncGenerator<StoredRecord[]> {
  ctx.timeRule('GMT as logged (Date + Time fields)');
  let columns: ColumnIndex<Column> = bindColumns(DOCUMENTED_COLUMNS, ALIASES);
  let columnCount = DOCUMENTED_COLUMNS.length;
  let sawHeader = false;
  let warnedNoHeader = false;
  let formatVersion: string | null = null;
  const fields = new UnquotedLine('\t');

  for await (const lines of readLineBatches(source)) {
    const records: StoredRecord[] = [];
    for (const line of lines) {
      const text = line.text;
      if (text.length === 0) continue;
      if (text.charCodeAt(0) === 0x23 /* # */) {
        if (text.slice(0, COLUMNS_PREFIX.length).toLowerCase() === COLUMNS_PREFIX) {
          const names = splitPlain(text.slice(2), '\t', []);
          columns = bindColumns(names, ALIASES);
          columnCount = names.length;
          sawHeader = true;
        } else if (text.startsWith(VERSION_PREFIX)) {
          formatVersion = text.slice(VERSION_PREFIX.length).trim() || null;
        }
        continue;
      }
      if (line.offset < source.emitFrom) continue;
      if (!sawHeader && !warnedNoHeader) {
        warnedNoHeader = true;
        ctx.issue({ severity: 'warning', line: line.lineNo, offset: line.offset, message: 'no "# Date<TAB>Time..." header line before the first row; using the documented column order' });
      }
      fields.reset(text);
      if (fields.count > columnCount) {
        reject(ctx, line, `${fields.count} TAB-separated fields, the header declares ${columnCount}`);
        continue;
      }
      const date = fields.value(columns.date);
      const timeText = fields.value(columns.time);
      const time = date !== null && timeText !== null ? gmtNanos(date, timeText) : null;
      if (time === null) {
        reject(ctx, line, `Date/Time not a GMT date and time: "${date ?? ''}" "${timeText ?? ''}"`);
        continue;
      }
      const eventNumber = fields.integer(columns.event);
      if (eventNumber === null) {
        reject(ctx, line, `Event-ID is not a number: "${fields.value(columns.event) ?? ''}"`);
        continue;
      }
      const event = fields.value(columns.event) as string; // as logged; integer() proved it is digits
      const recipient = fields.value(columns.recipient);
      const status = fields.value(columns.reportStatus);
      const record: TrackingRecord = {
        table: 'tracking',
        time,
        server: fields.value(columns.server),
        format_version: formatVersion,
        raw_event: event,
        event_kind: exchange2003Kind(event, status),
        message_id: fields.value(columns.messageId),
        internal_id: null,
        sender: fields.value(columns.sender),
        recipient,
        recipient_domain: addressDomain(recipient),
        partner: fields.value(columns.partner),
        client_ip: fields.value(columns.clientIp),
        server_ip: fields.value(columns.serverIp),
        recipient_status: status,
        dsn_code: status === null || status.length < 5 ? null : findStatusCode(status),
        size_bytes: fields.integer(columns.bytes),
        recipient_count: fields.integer(columns.recipients),
        subject: fields.value(columns.subject),
        source: fields.value(columns.serviceVersion),
        connector: null,
        source_context: null,
        line_no: line.lineNo,
      };
      records.push(record);
    }
    yield records;
  }
}

function reject(ctx: ReadContext, line: { lineNo: number; offset: number }, message: string): void {
  ctx.issue({ severity: 'error', line: line.lineNo, offset: line.offset, message: `line ${line.lineNo}: ${message}`, rejected: true });
}

export const exchange2003TrackingReader: Reader = {
  name: 'exchange2003-tracking',
  version: '1',
  description: 'Exchange 2000/2003 message tracking log (yyyymmdd.log, TAB, GMT)',
  growable: true,
  sniff,
  read: (source, ctx) => itemsOf(readBatches(source, ctx)),
  readBatches,
};
