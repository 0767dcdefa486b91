// Exchange 2007+ SMTP protocol logs (`SEND*.log`, `RECV*.log`), log-formats.md §6: CSV with
// `#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,
// data,context`. Every protocol line is its own row, so each line of a multi-line EHLO reply
// (`250-XEXCH50`) becomes its own smtp_lines record. session_key is the logged session-id.
//
// Row meaning by `event`: `>` is what this server sent, `<` what it received. In a Send log this
// server is the client (`>` commands, `<` replies); in a Receive log it is the server (`<` commands,
// `>` replies). `+` connect, `-` disconnect and `*` information rows carry their text (data, and
// context when present, as `context: data`) in `argument`.
import type { ByteSource, ReadContext, Reader, StoredRecord } from '../types.js';
import type { SmtpLineRecord } from '../../store/records.js';
import { bindColumns, fieldInteger, fieldText, type ColumnIndex } from '../text/directives.js';
import { exchangeLogType, readExchangeCsvLog } from '../text/exchange-csv-log.js';
import { nanosFromIso } from '../../util/timezone.js';
import { replyCode, splitCommand } from '../smtp/smtp-text.js';
import { SmtpSessionTracker } from '../smtp/sessions.js';

const SEND_LOG = 'smtp send protocol log';
const RECEIVE_LOG = 'smtp receive protocol log';

const ALIASES = {
  time: ['date-time'],
  connector: ['connector-id'],
  session: ['session-id'],
  sequence: ['sequence-number'],
  local: ['local-endpoint'],
  remote: ['remote-endpoint'],
  event: ['event'],
  data: ['data'],
  context: ['context'],
} as const;

type Column = keyof typeof ALIASES;

function sniff(head: Buffer): boolean {
  const type = exchangeLogType(head)?.toLowerCase();
  return type === SEND_LOG || type === RECEIVE_LOG;
}

/** `10.1.1.5:25` → `10.1.1.5`, `[2001:db8::5]:25` → `2001:db8::5`. */
export function endpointIp(endpoint: string | null): string | null {
  if (endpoint === null) return null;
  if (endpoint.startsWith('[')) {
    const close = endpoint.indexOf(']');
    return close > 1 ? endpoint.slice(1, close) : null;
  }
  const colon = endpoint.lastIndexOf(':');
  if (colon < 0 || endpoint.indexOf(':') !== colon) return endpoint; // no port, or bare IPv6
  return endpoint.slice(0, colon);
}

async function* read(source: ByteSource, ctx: ReadContext): AsyncGenerator<StoredRecord> {
  ctx.timeRule('UTC as logged (ISO 8601 date-time with Z)');
  const tracker = new SmtpSessionTracker();
  let columns: ColumnIndex<Column> = bindColumns([], ALIASES);
  let generation = -1;
  for await (const row of readExchangeCsvLog(source, ctx)) {
    if (row.header.generation !== generation) {
      generation = row.header.generation;
      columns = bindColumns(row.header.fields ?? [], ALIASES);
    }
    const line = toLine(row.fields, columns, row.header.logType, row.lineNo);
    if (typeof line === 'string') {
      if (!row.replayed) ctx.issue({ severity: 'error', line: row.lineNo, offset: row.offset, message: `line ${row.lineNo}: ${line}`, rejected: true });
      continue;
    }
    const ended = tracker.add(line, row.replayed);
    if (!row.replayed) yield line;
    yield* ended;
  }
  yield* tracker.finish();
}

/** The smtp_lines record of one row, or the reason it cannot be one. */
function toLine(fields: readonly string[], c: ColumnIndex<Column>, logType: string | null, lineNo: number): SmtpLineRecord | string {
  const timeText = fieldText(fields, c.time);
  const time = timeText === null ? null : nanosFromIso(timeText);
  if (time === null) return `date-time is not an ISO 8601 time: "${timeText ?? ''}"`;
  const session = fieldText(fields, c.session);
  if (session === null) return 'session-id is empty';
  const event = fieldText(fields, c.event);
  if (event === null || event.length !== 1 || '+-<>*'.indexOf(event) < 0) return `event is not one of + - < > *: "${event ?? ''}"`;
  const inbound = logType?.toLowerCase() === RECEIVE_LOG;
  const data = fieldText(fields, c.data);
  const context = fieldText(fields, c.context);
  const remote = fieldText(fields, c.remote);
  const connector = fieldText(fields, c.connector);
  const isCommand = event === (inbound ? '<' : '>');
  const isReply = event === (inbound ? '>' : '<');
  const command = isCommand && data !== null ? splitCommand(data) : null;
  const reply = isReply ? data : null;
  const note = isCommand || isReply ? null : data !== null && context !== null ? `${context}: ${data}` : (data ?? context);
  return {
    table: 'smtp_lines',
    time,
    // A Receive connector's identity is `<server>\<name>` (inferred); Send logs do not name the server.
    server: inbound && connector !== null && connector.includes('\\') ? connector.slice(0, connector.indexOf('\\')) : null,
    direction: inbound ? 'inbound' : 'outbound',
    session_key: session,
    sequence: fieldInteger(fields, c.sequence),
    local_endpoint: fieldText(fields, c.local),
    remote_endpoint: remote,
    remote_ip: endpointIp(remote),
    remote_host: null,
    event,
    verb: command?.verb ?? null,
    argument: command?.argument ?? note,
    reply_code: reply === null ? null : replyCode(reply),
    reply_text: reply,
    bytes: null,
    line_no: lineNo,
  };
}

export const smtp2007Reader: Reader = {
  name: 'exchange2007-smtp',
  version: '1',
  description: 'Exchange 2007+ SMTP send/receive protocol log (SEND*.log, RECV*.log, CSV, UTC)',
  growable: true,
  sniff,
  read,
};
