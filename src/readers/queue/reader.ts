// Queue exports (log-formats.md §7): Exchange 2003 System Manager "Export List" (TAB or comma),
// WMI Exchange_Link / Exchange_Queue dumps, and Exchange 2007+ Get-Queue / Get-Message | Export-Csv
// (with or without the `#TYPE` line). The header row picks the layout from the data table
// src/knowledge/queue-exports.json. Exports are snapshots: they carry no time of the snapshot itself,
// so snapshot_time stays null.
import type { ByteSource, ReadContext, Reader, StoredRecord } from '../types.js';
import type { QueueMessageRecord, QueueSnapshotRecord } from '../../store/records.js';
import { detectQueueVariant, type QueueColumn, type QueueExportVariant } from '../../knowledge/queue-exports.js';
import { bindColumns, fieldInteger, fieldValue, type ColumnIndex } from '../text/directives.js';
import { readCsv, splitCsv } from '../text/csv.js';
import { headText } from '../text/lines.js';
import { UTC, type Zone } from '../../util/timezone.js';
import { parseCultureTime, parseDmtfTime } from './export-time.js';

const ALL_COLUMNS: readonly QueueColumn[] = [
  'server', 'identity', 'queue_name', 'link_name', 'next_hop_domain', 'state', 'message_count', 'size_bytes',
  'size_kb', 'oldest_message_time', 'next_retry_time', 'last_error', 'message_id', 'sender', 'recipients',
  'subject', 'status', 'received_time', 'expiration_time', 'retry_count',
];

interface Layout {
  variant: QueueExportVariant;
  delimiter: string;
}

/** The header row (first line that is neither blank nor `#`) of a queue export, with its layout. */
function layoutOf(text: string): Layout | undefined {
  for (const line of text.split(/\r?\n/)) {
    if (line.trim().length === 0 || line.startsWith('#')) continue;
    const delimiter = line.includes('\t') ? '\t' : ',';
    const names: string[] = [];
    if (splitCsv(line, delimiter, names).status !== 'ok') return undefined;
    const variant = detectQueueVariant(names);
    return variant ? { variant, delimiter } : undefined;
  }
  return undefined;
}

function sniff(head: Buffer): boolean {
  return layoutOf(headText(head)) !== undefined;
}

/** Reads one export time column; undefined when present but unparsable. */
type TimeReader = (text: string | null) => bigint | null | undefined;

function timeReader(variant: QueueExportVariant, ctx: ReadContext): TimeReader {
  if (variant.times === 'wmi') {
    ctx.timeRule('WMI DMTF datetimes, converted with their own UTC offset');
    return (text) => (text === null || /^\*+/.test(text) ? null : (parseDmtfTime(text) ?? undefined));
  }
  let zone: Zone = UTC;
  if (ctx.tz) {
    zone = ctx.tz;
    ctx.timeRule(`local time in the exporting culture's format, zone ${ctx.tz.name} (--tz)`);
  } else {
    ctx.timeRule('local time in the exporting culture\'s format, read as UTC (no --tz given)');
    ctx.issue({ severity: 'warning', message: 'queue export times are local time; no --tz given, so they are stored as if they were UTC' });
  }
  return (text) => {
    if (text === null) return null;
    const local = parseCultureTime(text);
    return local === null ? undefined : zone.localToUtc(local);
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
  const readTime = timeReader(variant, ctx);
  const aliases = Object.fromEntries(ALL_COLUMNS.map((key) => [key, variant.columns[key] ?? []])) as Record<QueueColumn, string[]>;
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
      stateColumns = states.map(([name]) => bindColumns(fields, { s: [name] }).s);
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
    const c = columns;
    const value = (key: QueueColumn): string | null => fieldValue(fields, c[key]);
    const times: Partial<Record<QueueColumn, bigint | null>> = {};
    let badTime: QueueColumn | null = null;
    for (const key of ['oldest_message_time', 'next_retry_time', 'received_time', 'expiration_time'] as const) {
      const parsed = readTime(value(key));
      if (parsed === undefined) badTime = key;
      else times[key] = parsed;
    }
    if (badTime !== null) {
      fail(`${variant.columns[badTime]?.[0] ?? badTime} is not a date and time: "${value(badTime)}"`);
      continue;
    }
    const identity = value('identity');
    const server = value('server') ?? serverOfIdentity(identity);
    if (variant.table === 'queue_messages') {
      const record: QueueMessageRecord = {
        table: 'queue_messages',
        snapshot_time: null,
        server,
        queue_name: value('queue_name'),
        next_hop_domain: value('next_hop_domain'),
        message_id: value('message_id'),
        sender: value('sender'),
        recipients: value('recipients'),
        subject: value('subject'),
        status: value('status'),
        size_bytes: byteCount(value('size_bytes'), 1),
        received_time: times.received_time ?? null,
        expiration_time: times.expiration_time ?? null,
        retry_count: fieldInteger(fields, c.retry_count),
        last_error: value('last_error'),
        line_no: item.lineNo,
      };
      yield record;
      continue;
    }
    const stateIndex = stateColumns.findIndex((index) => isTrue(fieldValue(fields, index)));
    const queueName = value('queue_name');
    const record: QueueSnapshotRecord = {
      table: 'queue_snapshots',
      snapshot_time: null,
      server,
      queue_name: queueName,
      link_name: value('link_name'),
      next_hop_domain: value('next_hop_domain') ?? domainName(value('link_name') ?? queueName),
      state: value('state') ?? (stateIndex >= 0 ? states[stateIndex][1] : null),
      message_count: countOf(value('message_count')),
      size_bytes: byteCount(value('size_bytes'), 1) ?? byteCount(value('size_kb'), 1024),
      oldest_message_time: times.oldest_message_time ?? null,
      next_retry_time: times.next_retry_time ?? null,
      last_error: value('last_error'),
      line_no: item.lineNo,
    };
    yield record;
  }
}

export const queueExportReader: Reader = {
  name: 'queue-export',
  version: '1',
  description: 'Queue exports: Exchange 2003 ESM Export List, WMI Exchange_Link/Exchange_Queue CSV, Get-Queue/Get-Message Export-Csv',
  growable: false,
  sniff,
  read,
};
