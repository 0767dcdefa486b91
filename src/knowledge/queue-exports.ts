// Layouts of queue exports (ESM Export List, WMI dumps, Get-Queue / Get-Message Export-Csv), kept
// as data in queue-exports.json because most column names are inferred or unconfirmed (§7).
import { readFileSync } from 'node:fs';
import { normaliseFieldName } from '../readers/text/directives.js';

export type QueueColumn =
  | 'server'
  | 'identity'
  | 'queue_name'
  | 'link_name'
  | 'next_hop_domain'
  | 'state'
  | 'message_count'
  | 'size_bytes'
  | 'size_kb'
  | 'oldest_message_time'
  | 'next_retry_time'
  | 'last_error'
  | 'message_id'
  | 'sender'
  | 'recipients'
  | 'subject'
  | 'status'
  | 'received_time'
  | 'expiration_time'
  | 'retry_count';

export interface QueueExportVariant {
  name: string;
  description: string;
  table: 'queue_snapshots' | 'queue_messages';
  /** Header names that must all be present for this variant. */
  detect: string[];
  /** How the variant writes times: culture-formatted local time, or WMI DMTF with its own offset. */
  times: 'local' | 'wmi';
  columns: Partial<Record<QueueColumn, string[]>>;
  /** Boolean state properties in priority order, with the state each one names. */
  states?: [string, string][];
  confirmed: boolean;
}

/** A time stamp in an export's file name (inferred naming convention of scheduled exports). */
export interface FileNameTimePattern {
  /** How the stamp is written, for the time rule (`yyyymmdd-hhmm`). */
  format: string;
  /** Named groups year, month, day, hour, minute and optionally second. */
  regex: string;
}

const { variants, fileNameTimes } = JSON.parse(readFileSync(new URL('./queue-exports.json', import.meta.url), 'utf8')) as {
  variants: QueueExportVariant[];
  fileNameTimes: { patterns: FileNameTimePattern[] };
};

export const QUEUE_FILE_NAME_TIMES: readonly FileNameTimePattern[] = fileNameTimes.patterns;

/** The first variant whose detect names all appear in `header`, or undefined. */
export function detectQueueVariant(header: readonly string[]): QueueExportVariant | undefined {
  const names = new Set(header.map(normaliseFieldName));
  return variants.find((v) => v.detect.every((name) => names.has(normaliseFieldName(name))));
}
