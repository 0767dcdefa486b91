// One IIS SMTPSVC protocol-log row, whatever the file format (W3C extended, NCSA, IIS), and its
// mapping to an smtp_lines record. Field meanings for SMTP are in log-formats.md §4.2:
// - inbound rows (a remote client talking to this server): cs-method is the client's verb,
//   cs-uri-query its argument, sc-status this server's reply code, cs-username the HELO name;
// - outbound rows (this server is the client): cs-username is literally `OutboundConnectionCommand`
//   (cs-method = our verb, cs-uri-query = its argument) or `OutboundConnectionResponse`
//   (cs-uri-query = the remote server's reply line); c-ip is then the remote server.
// Spaces inside cs-uri-query are logged as `+`; each parser decodes them back to spaces (a literal
// `+`, as in `user+tag@example.com`, cannot be told apart and becomes a space as well).
import type { SmtpLineRecord } from '../../store/records.js';
import { replyCode } from '../smtp/smtp-text.js';

/** Values of one row as logged; `-` already turned into null, `+` in `query` decoded (decodePlus). */
export interface IisSmtpRow {
  time: bigint | null;
  clientIp: string | null;
  username: string | null;
  computer: string | null;
  serverIp: string | null;
  serverPort: string | null;
  method: string | null;
  query: string | null;
  status: string | null;
  scBytes: string | null;
  csBytes: string | null;
  host: string | null;
}

export type SmtpLineDraft = { -readonly [K in keyof SmtpLineRecord]: SmtpLineRecord[K] };

const OUTBOUND_COMMAND = 'OutboundConnectionCommand';
const OUTBOUND_RESPONSE = 'OutboundConnectionResponse';

/** A logged value with its `+` signs turned back into spaces, trimmed; null when nothing is left. */
export function decodePlus(value: string | null): string | null {
  if (value === null || !value.includes('+')) return value;
  const text = value.replaceAll('+', ' ').trim();
  return text.length > 0 ? text : null;
}

function integer(value: string | null): number | null {
  if (value === null) return null;
  const n = Number(value);
  return Number.isInteger(n) ? n : null;
}

/** The verb is the first word of cs-method (IIS format writes `MAIL FROM`, `RCPT TO`). */
function verbOf(method: string | null): string | null {
  if (method === null) return null;
  const space = method.indexOf(' ');
  return (space < 0 ? method : method.slice(0, space)).toUpperCase();
}

/**
 * `address:port` strings, one per pair met. Rows repeat a few endpoints: the same string each time
 * spares a concatenation per row, and the encoder then finds it by identity. Bounded: cleared when full.
 */
const endpoints = new Map<string, Map<string, string>>();
const MAX_ENDPOINT_ADDRESSES = 4096;

function endpoint(address: string, port: string): string {
  let byPort = endpoints.get(address);
  if (byPort === undefined) {
    if (endpoints.size >= MAX_ENDPOINT_ADDRESSES) endpoints.clear();
    endpoints.set(address, (byPort = new Map()));
  }
  let text = byPort.get(port);
  if (text === undefined) byPort.set(port, (text = `${address}:${port}`));
  return text;
}

export function toSmtpLine(row: IisSmtpRow, lineNo: number): SmtpLineDraft {
  const outbound = row.username === OUTBOUND_COMMAND || row.username === OUTBOUND_RESPONSE;
  const port = row.serverPort !== null && row.serverPort !== '0' ? row.serverPort : null;
  const sc = integer(row.scBytes);
  const cs = integer(row.csBytes);
  const record: SmtpLineDraft = {
    table: 'smtp_lines',
    time: row.time,
    server: row.computer,
    direction: outbound ? 'outbound' : 'inbound',
    session_key: null,
    sequence: null,
    // Outbound rows log the remote port in s-port (25) and no s-ip.
    local_endpoint: outbound ? row.serverIp : row.serverIp !== null && port !== null ? endpoint(row.serverIp, port) : row.serverIp,
    remote_endpoint: outbound && row.clientIp !== null && port !== null ? endpoint(row.clientIp, port) : row.clientIp,
    remote_ip: row.clientIp,
    remote_host: null,
    // The marker constants, not the row's copies: equal rows then share one string (cheaper to store).
    event: outbound ? (row.username === OUTBOUND_COMMAND ? OUTBOUND_COMMAND : OUTBOUND_RESPONSE) : row.method,
    verb: null,
    argument: null,
    reply_code: null,
    reply_text: null,
    bytes: sc === null && cs === null ? null : (sc ?? 0) + (cs ?? 0),
    line_no: lineNo,
  };
  if (row.username === OUTBOUND_RESPONSE) {
    record.reply_text = row.query;
    record.reply_code = record.reply_text === null ? null : replyCode(record.reply_text);
  } else {
    record.verb = verbOf(row.method);
    record.argument = row.query;
    if (!outbound) {
      const status = integer(row.status);
      record.reply_code = status !== null && status > 0 ? status : null;
      record.remote_host = row.username ?? row.host;
    }
  }
  return record;
}
