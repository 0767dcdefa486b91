// Queue exports (log-formats.md §7): Exchange 2003 System Manager "Export List" (TAB or comma),
// WMI Exchange_Link / Exchange_Queue dumps, and Exchange 2007+ Get-Queue / Get-Message | Export-Csv
// (with or without the `#TYPE` line). The header row picks the layout from the data table
// src/knowledge/queue-exports.json. Exports are snapshots that carry no time of the snapshot itself:
// snapshot_time comes from a time stamp in the file name (scheduled exports are named so; patterns in
// the same table), else stays null. Format detection never looks at the name.
import type { ByteSource, ReadContext, Reader, StoredRecord } from '../types.js';
import type { QueueMessageRecord, QueueSnapshotRecord } from '../../store/records.js';
import { detectQueueVariant, QUEUE_FILE_NAME_TIMES, type QueueColumn, type QueueExportVariant } from '../../knowledge/queue-exports.js';
import { bindColumns, fieldInteger, fieldText, type ColumnIndex } from '../text/directives.js';
import { readCsv, splitCsv } from '../text/csv.js';
import { headText } from '../text/lines.js';
import { UTC, type Zone } from '../../util/timezone.js';
import { dateOrderOf, fileNameTime, parseCultureTime, parseDmtfTime } from './export-time.js';

const ALL_COLUMNS: readonly QueueColumn[] = [
  'server', 'identity', 'queue_name', 'link_name', 'next_hop_domain', 'state', 'message_count', 'size_bytes',
  'size_kb', 'oldest_message_time', 'next_retry_time', 'last_error', 'message_id', 'sender', 'recipients',
  'subject', 'status', 'received_time', 'expiration_time', 'retry_count',
];

const TIME_COLUMNS = ['oldest_message_time', 'next_retry_time', 'received_time', 'expiration_time'] as const;

interface Layout {
  variant: QueueExportVariant;
  delimiter: string;
  header: string[];
  /** Data rows found in the same text (for sampling the date format). */
  rows: string[][];
}

/** The header row (first line that is neither blank nor `#`) of a queue export, its layout and the rows after it. */
function layoutOf(text: string): Layout | undefined {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((line) => line.trim().length > 0 && !line.startsWith('#'));
  if (at < 0) return undefined;
  const delimiter = lines[at].includes('\t') ? '\t' : ',';
  const header: string[] = [];
  if (splitCsv(lines[at], delimiter, header).status !== 'ok') return undefined;
  const variant = detectQueueVariant(header);
  if (!variant) return undefined;
  const rows: string[][] = [];
  for (const line of lines.slice(at + 1)) {
    const fields: string[] = [];
    if (splitCsv(line, delimiter, fields).status === 'ok') rows.push(fields);
  }
  return { variant, delimiter, header, rows };
}

function sniff(head: Buffer): boolean {
  return layoutOf(headText(head)) !== undefined;
}

/** Reads one export time column; undefined when present but unparsable. */
type TimeReader = (text: string | null) => bigint | null | undefined;

/** How the export's time columns are read, and the time rule saying so. */
interface ExportTimes {
  read: TimeReader;
  rule: string;
}

/** The zone of an export's local times (--tz, else UTC) and how the time rule names it. */
interface LocalZone {
  zone: Zone;
  note: string;
}

function localZoneOf(ctx: ReadContext): LocalZone {
  return ctx.tz ? { zone: ctx.tz, note: `zone ${ctx.tz.name} (--tz)` } : { zone: UTC, note: 'read as UTC (no --tz given)' };
}

function exportTimes(layout: Layout, aliases: Record<QueueColumn, string[]>, { zone, note }: LocalZone): ExportTimes {
  if (layout.variant.times === 'wmi') {
    return {
      rule: 'WMI DMTF datetimes, converted with their own UTC offset',
      read: (text) => (text === null || /^\*+/.test(text) ? null : (parseDmtfTime(text) ?? undefined)),
    };
  }
  const columns = bindColumns(layout.header, aliases);
  const samples = layout.rows.flatMap((row) => TIME_COLUMNS.map((key) => fieldText(row, columns[key]) ?? ''));
  const { order, decided } = dateOrderOf(samples);
  const orderText = `${order === 'dmy' ? 'day/month/year' : 'month/day/year'}${decided ? '' : ' assumed, no sample told'}`;
  return {
    rule: `local time in the exporting culture's format (${orderText}; year first where written so), ${note}`,
    read: (text) => {
      if (text === null) return null;
      const local = parseCultureTime(text, order);
      return local === null ? undefined : zone.localToUtc(local);
    },
  };
}

/** `EXCH01\contoso.com` → `EXCH01`. */
function serverOfIdentity(identity: string | null): string | null {
  if (identity === null) return null;
  const slash = identity.indexOf('\\');
  return slash > 0 ? identity.slice(0, slash) : null;
}

// Link queues of Exchange 2000/2003 are named after the remote domain (inferred, §7.1); system
// queues ("Messages awaiting directory lookup") are not domain names.
const DOMAIN_NAME = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

function domainName(name: string | null): string | null {
  return name !== null && DOMAIN_NAME.test(name) ? name.toLowerCase() : null;
}

/** A count as exported, group separators allowed (`12,481`, `12.481`, `12 481`); null if not one. */
function countOf(text: string | null): number | null {
  if (text === null) return null;
  const digits = text.replace(/[,.\s\u00a0']/g, '');
  return /^\d+$/.test(digits) ? Number(digits) : null;
}

/** `25.3 KB (25,910 bytes)` (Exchange ByteQuantifiedSize) or a plain number of `unit` bytes → bytes. */
function byteCount(text: string | null, unit: number): number | null {
  if (text === null) return null;
  const quantified = /\(([\d,.\s\u00a0']+) bytes\)/.exec(text);
  if (quantified) return countOf(quantified[1]);
  const count = countOf(text);
  return count === null ? null : count * unit;
}

function isTrue(text: string | null): boolean {
  return text !== null && (text.toLowerCase() === 'true' || text === '1');
}

async function* read(source: ByteSource, ctx: ReadContext): AsyncGenerator<StoredRecord> {
  const layout = layoutOf(headText(await source.readAt(0, 64 * 1024)));
  if (!layout) {
    ctx.issue({ severity: 'error', offset: 0, message: 'no queue-export header row in the first 64 KiB', rejected: true });
    return;
  }
  const { variant, delimiter } = layout;
  const aliases = Object.fromEntries(ALL_COLUMNS.map((key) => [key, variant.columns[key] ?? []])) as Record<QueueColumn, string[]>;
  const localZone = localZoneOf(ctx);
  const exportTime = exportTimes(layout, aliases, localZone);
  const stamp = fileNameTime(source.path, QUEUE_FILE_NAME_TIMES);
  const snapshotTime = stamp === null ? null : localZone.zone.localToUtc(stamp.local);
  // The ledger keeps one rule per file: both parts go into it.
  const stampRule = stamp === null ? '' : `; snapshot time from the file name (${stamp.format}), local time, ${localZone.note}`;
  ctx.timeRule(exportTime.rule + stampRule);
  if (!ctx.tz && (variant.times === 'local' || stamp)) {
    ctx.issue({ severity: 'warning', message: 'queue export times are local time; no --tz given, so they are stored as if they were UTC' });
  }
  const states = variant.states ?? [];
  let columns: ColumnIndex<QueueColumn> | null = null;
  let stateColumns: number[] = [];
  let headerCount = 0;

  for await (const item of readCsv(source, { delimiter })) {
    if (item.kind === 'directive') continue; // `#TYPE ...`
    const replayed = item.offset < source.emitFrom;
    if (item.kind === 'malformed') {
      if (!replayed) ctx.issue({ severity: 'error', line: item.lineNo, offset: item.offset, message: `line ${item.lineNo}: ${item.message}`, rejected: true });
      continue;
    }
    const fields = item.fields;
    if (columns === null) {
      columns = bindColumns(fields, aliases);
      const stateAt = bindColumns(fields, Object.fromEntries(states.map(([property]) => [property, [property]])));
      stateColumns = states.map(([property]) => stateAt[property]);
      headerCount = fields.length;
      continue;
    }
    if (replayed) continue;
    const fail = (message: string): void =>
      ctx.issue({ severity: 'error', line: item.lineNo, offset: item.offset, message: `line ${item.lineNo}: ${message}`, rejected: true });
    while (fields.length > headerCount && fields[fields.length - 1] === '') fields.pop();
    if (fields.length > headerCount) {
      fail(`${fields.length} fields, the header row has ${headerCount}`);
      continue;
    }
    const row = new ExportRow(fields, columns);
    const times = new Map<QueueColumn, bigint | null>();
    const badTime = TIME_COLUMNS.find((key) => {
      const parsed = exportTime.read(row.value(key));
      times.set(key, parsed ?? null);
      return parsed === undefined;
    });
    if (badTime !== undefined) {
      fail(`${variant.columns[badTime]?.[0] ?? badTime} is not a date and time: "${row.value(badTime)}"`);
      continue;
    }
    if (variant.table === 'queue_messages') {
      yield messageRecord(row, snapshotTime, times, item.lineNo);
    } else {
      const stateIndex = stateColumns.findIndex((index) => isTrue(fieldText(fields, index)));
      yield snapshotRecord(row, snapshotTime, times, stateIndex >= 0 ? states[stateIndex][1] : null, item.lineNo);
    }
  }
}

/** One data row with the variant's columns bound. */
class ExportRow {
  constructor(
    readonly fields: readonly string[],
    private readonly columns: ColumnIndex<QueueColumn>,
  ) {}

  value(key: QueueColumn): string | null {
    return fieldText(this.fields, this.columns[key]);
  }

  integer(key: QueueColumn): number | null {
    return fieldInteger(this.fields, this.columns[key]);
  }

  /** The `server` column, else the server part of `Identity`. */
  server(): string | null {
    return this.value('server') ?? serverOfIdentity(this.value('identity'));
  }
}

function messageRecord(row: ExportRow, snapshotTime: bigint | null, times: Map<QueueColumn, bigint | null>, lineNo: number): QueueMessageRecord {
  return {
    table: 'queue_messages',
    snapshot_time: snapshotTime,
    server: row.server(),
    queue_name: row.value('queue_name'),
    next_hop_domain: row.value('next_hop_domain'),
    message_id: row.value('message_id'),
    sender: row.value('sender'),
    recipients: row.value('recipients'),
    subject: row.value('subject'),
    status: row.value('status'),
    size_bytes: byteCount(row.value('size_bytes'), 1),
    received_time: times.get('received_time') ?? null,
    expiration_time: times.get('expiration_time') ?? null,
    retry_count: row.integer('retry_count'),
    last_error: row.value('last_error'),
    line_no: lineNo,
  };
}

function snapshotRecord(
  row: ExportRow,
  snapshotTime: bigint | null,
  times: Map<QueueColumn, bigint | null>,
  stateFromFlags: string | null,
  lineNo: number,
): QueueSnapshotRecord {
  const queueName = row.value('queue_name');
  const linkName = row.value('link_name');
  return {
    table: 'queue_snapshots',
    snapshot_time: snapshotTime,
    server: row.server(),
    queue_name: queueName,
    link_name: linkName,
    next_hop_domain: row.value('next_hop_domain') ?? domainName(linkName ?? queueName),
    state: row.value('state') ?? stateFromFlags,
    message_count: countOf(row.value('message_count')),
    size_bytes: byteCount(row.value('size_bytes'), 1) ?? byteCount(row.value('size_kb'), 1024),
    oldest_message_time: times.get('oldest_message_time') ?? null,
    next_retry_time: times.get('next_retry_time') ?? null,
    last_error: row.value('last_error'),
    line_no: lineNo,
  };
}

export const queueExportReader: Reader = {
  name: 'queue-export',
  version: '2',
  description: 'Queue exports: Exchange 2003 ESM Export List, WMI Exchange_Link/Exchange_Queue CSV, Get-Queue/Get-Message Export-Csv',
  growable: false,
  sniff,
  read,
};
