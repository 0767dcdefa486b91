// One ISA Server / TMG log row (W3C or ISA format, any of the logs) → a firewall_log record. Columns
// are bound by name through src/knowledge/isa-fields.json; action names and result-code meanings
// come from isa-actions.json and isa-result-codes.json.
//
// Endpoints: ISA 2004+ writes `source` / `destination` as `ip:port`; ISA 2000 writes the client
// (`c-ip`, the host behind ISA) and the remote peer (`r-ip`, `r-port`). For an ISA 2000 `Accept`
// (an incoming connection to a published server, §9.1) the remote peer is the one that connected,
// so it becomes the source and the published port (`cs-protocol`, 25 for SMTP) the destination
// port — inferred from the real sample, where Accept rows pair with Connect rows to the same relay.
// Packet-filter `param#1` / `param#2` are ports only for TCP and UDP.
import type { FirewallLogRecord } from '../../store/records.js';
import { fieldInteger, fieldValue, type ColumnIndex } from '../text/directives.js';
import type { IsaColumn } from '../../knowledge/isa-fields.js';
import { normaliseIsaAction } from '../../knowledge/isa-actions.js';
import { isaResultMeaning } from '../../knowledge/isa-result-codes.js';

export type IsaLogKind = 'fws' | 'packet-filter' | 'web-proxy' | 'firewall' | 'smtp-screener';

export type IsaColumns = ColumnIndex<IsaColumn>;

/** The kind of log a field set belongs to; null when each row says (ISA 2000 `s-svcname`). */
export function kindOfFields(at: IsaColumns): IsaLogKind | null {
  if (at.tcp_flags >= 0 || at.param1 >= 0) return 'packet-filter';
  if (at.smtp_sender >= 0 || at.smtp_recipient >= 0) return 'smtp-screener';
  if (at.service >= 0) return null;
  return 'firewall';
}

function kindOfService(service: string | null): IsaLogKind {
  const s = service?.toLowerCase();
  return s === 'w3proxy' || s === 'w3reverseproxy' ? 'web-proxy' : 'fws';
}

function splitEndpoint(value: string | null): { ip: string | null; port: number | null } {
  if (value === null) return { ip: null, port: null };
  const colon = value.lastIndexOf(':');
  // One colon: `ip:port`; several: an IPv6 address without port.
  if (colon < 0 || value.indexOf(':') !== colon) return { ip: value, port: null };
  const port = Number(value.slice(colon + 1));
  return { ip: value.slice(0, colon), port: Number.isInteger(port) ? port : null };
}

function joined(parts: (string | null)[], separator: string): string | null {
  const present = parts.filter((p): p is string => p !== null);
  return present.length > 0 ? present.join(separator) : null;
}

export function toFirewallRecord(
  parts: readonly string[],
  at: IsaColumns,
  fileKind: IsaLogKind | null,
  time: bigint | null,
  lineNo: number,
): FirewallLogRecord {
  const v = (column: IsaColumn) => fieldValue(parts, at[column]);
  const n = (column: IsaColumn) => fieldInteger(parts, at[column]);
  const kind = fileKind ?? kindOfService(v('service'));
  const protocol = v('protocol')?.toUpperCase() ?? null;
  const portsInParams = kind === 'packet-filter' && (protocol === 'TCP' || protocol === 'UDP');
  const source = splitEndpoint(v('source'));
  const destination = splitEndpoint(v('destination'));
  let sourceIp = source.ip ?? v('source_ip');
  let sourcePort = source.port ?? (portsInParams ? n('param1') : null);
  let destIp = destination.ip ?? v('dest_ip');
  let destPort = destination.port ?? (portsInParams ? n('param2') : n('dest_port'));
  const actionRaw = kind === 'fws' ? (v('action') ?? v('operation')) : v('action');
  if (kind === 'fws' && actionRaw?.toLowerCase() === 'accept') {
    [sourceIp, destIp] = [destIp, sourceIp];
    sourcePort = destPort;
    destPort = n('application_protocol');
  }
  const resultCode = v('result_code');
  let detail: string | null = null;
  if (kind === 'web-proxy') detail = joined([v('operation'), v('uri')], ' ');
  else if (kind === 'packet-filter') detail = joined([v('tcp_flags') && `tcp-flags ${v('tcp_flags')}`, v('interface') && `interface ${v('interface')}`], '; ');
  else if (kind === 'smtp-screener') detail = joined([v('subject') && `subject: ${v('subject')}`, v('message_id') && `message-id: ${v('message_id')}`, v('reason') && `reason: ${v('reason')}`], '; ');
  return {
    table: 'firewall_log',
    time,
    isa_host: v('isa_host'),
    log_kind: kind,
    protocol,
    source_ip: sourceIp,
    source_port: sourcePort,
    dest_ip: destIp,
    dest_port: destPort,
    action: normaliseIsaAction(actionRaw),
    action_raw: actionRaw,
    result_code: resultCode,
    result_meaning: isaResultMeaning(resultCode),
    rule: joined([v('rule'), v('rule2')], ' / '),
    application_protocol: v('application_protocol'),
    bytes_sent: n('bytes_sent'),
    bytes_received: n('bytes_received'),
    source_name: v('source_name'),
    dest_name: v('dest_name'),
    username: v('username'),
    smtp_sender: v('smtp_sender'),
    smtp_recipient: v('smtp_recipient'),
    detail,
    line_no: lineNo,
  };
}
