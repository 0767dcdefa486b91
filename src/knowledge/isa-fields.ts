// ISA / TMG field names → firewall_log columns, from the data table isa-fields.json.
import { readFileSync } from 'node:fs';

export interface IsaFieldTable {
  /** Our column key → accepted W3C `#Fields` names. */
  w3c: Record<IsaColumn, string[]>;
  /** ISA 2000 "ISA Server format": W3C names of the values in file order. */
  isaFormat: string[];
  isaFormatDateOrder: 'MDY' | 'DMY';
}

export type IsaColumn =
  | 'isa_host' | 'date' | 'time' | 'protocol' | 'source' | 'source_ip' | 'destination' | 'dest_ip' | 'dest_port'
  | 'param1' | 'param2' | 'action' | 'operation' | 'service' | 'result_code' | 'rule' | 'rule2'
  | 'application_protocol' | 'bytes_sent' | 'bytes_received' | 'source_name' | 'dest_name' | 'username' | 'uri'
  | 'tcp_flags' | 'interface' | 'smtp_sender' | 'smtp_recipient' | 'subject' | 'message_id' | 'reason';

export const isaFields = JSON.parse(readFileSync(new URL('./isa-fields.json', import.meta.url), 'utf8')) as IsaFieldTable;
