// Shared by the Event Viewer export tests: run a reader over a file or text and collect its output.
import { fileURLToPath } from 'node:url';
import { bufferSource, fileSource } from '../../src/readers/byte-source.js';
import type { ByteSource, Reader, ReaderIssue } from '../../src/readers/types.js';
import type { EventRecord } from '../../src/store/records.js';
import { parseZone } from '../../src/util/timezone.js';

export const CORPUS = fileURLToPath(new URL('../../../shared/corpus/evtx/', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../../fixtures/eventexport/', import.meta.url));

export interface ReadResult {
  records: EventRecord[];
  issues: ReaderIssue[];
  timeRules: string[];
}

export async function readWith(reader: Reader, source: ByteSource, tz: string | null = null): Promise<ReadResult> {
  const records: EventRecord[] = [];
  const issues: ReaderIssue[] = [];
  const timeRules: string[] = [];
  const ctx = {
    tz: tz === null ? null : parseZone(tz),
    recover: false,
    issue: (i: ReaderIssue) => void issues.push(i),
    timeRule: (rule: string) => void timeRules.push(rule),
  };
  for await (const record of reader.read(source, ctx)) {
    if (record.table === 'events') records.push(record);
  }
  return { records, issues, timeRules };
}

export async function readFileWith(reader: Reader, path: string, tz: string | null = null): Promise<ReadResult> {
  return readWith(reader, await fileSource(path), tz);
}

export function readBytesWith(reader: Reader, bytes: Buffer, tz: string | null = null, name = 'export'): Promise<ReadResult> {
  return readWith(reader, bufferSource(name, bytes), tz);
}
