// Runs a reader outside the store: collects its records by table, its issues and its time rules.
import { readFileSync } from 'node:fs';
import { bufferSource, fileSource } from '../../src/readers/byte-source.js';
import type { Reader, ReaderIssue, StoredRecord } from '../../src/readers/types.js';
import { parseZone } from '../../src/util/timezone.js';

export const CORPUS = new URL('../../../shared/corpus/exchange/ossec/', import.meta.url);
export const FIXTURES = new URL('../../fixtures/text/', import.meta.url);

export interface ReadResult {
  records: StoredRecord[];
  issues: ReaderIssue[];
  timeRules: string[];
  byTable<T extends StoredRecord['table']>(table: T): Extract<StoredRecord, { table: T }>[];
}

export async function runReader(reader: Reader, input: URL | { name: string; bytes: Buffer; emitFrom?: number }, tz: string | null = null): Promise<ReadResult> {
  const source =
    input instanceof URL ? await fileSource(input.pathname) : bufferSource(input.name, input.bytes, input.emitFrom ?? 0);
  const records: StoredRecord[] = [];
  const issues: ReaderIssue[] = [];
  const timeRules: string[] = [];
  const ctx = { tz: tz === null ? null : parseZone(tz), recover: false, issue: (i: ReaderIssue) => issues.push(i), timeRule: (r: string) => timeRules.push(r) };
  for await (const record of reader.read(source, ctx)) records.push(record);
  return {
    records,
    issues,
    timeRules,
    byTable: <T extends StoredRecord['table']>(table: T) => records.filter((r): r is Extract<StoredRecord, { table: T }> => r.table === table),
  };
}

export function bytesOf(url: URL): Buffer {
  return readFileSync(url);
}
