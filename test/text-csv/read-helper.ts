// Runs one reader over bytes or a file and collects what it yields and reports (no store involved).
import { readFile } from 'node:fs/promises';
import { bufferSource } from '../../src/readers/byte-source.js';
import type { Reader, ReaderIssue, StoredRecord } from '../../src/readers/types.js';
import type { Zone } from '../../src/util/timezone.js';

export interface ReadResult {
  records: StoredRecord[];
  issues: ReaderIssue[];
  timeRules: string[];
}

export async function readAll(
  reader: Reader,
  bytes: Buffer,
  options: { emitFrom?: number; tz?: Zone | null; path?: string } = {},
): Promise<ReadResult> {
  const result: ReadResult = { records: [], issues: [], timeRules: [] };
  const ctx = {
    tz: options.tz ?? null,
    recover: false,
    issue: (issue: ReaderIssue) => result.issues.push(issue),
    timeRule: (rule: string) => result.timeRules.push(rule),
  };
  for await (const record of reader.read(bufferSource(options.path ?? 'test-input', bytes, options.emitFrom ?? 0), ctx)) {
    result.records.push(structuredClone(record));
  }
  return result;
}

export function fixture(relative: string): Promise<Buffer> {
  return readFile(new URL(`../../fixtures/text/${relative}`, import.meta.url));
}

export function corpus(relative: string): Promise<Buffer> {
  return readFile(new URL(`../../../shared/corpus/${relative}`, import.meta.url));
}

/** CRLF line ends and a UTF-8 BOM, as Windows servers write them. */
export function withBomCrlf(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8')]);
}
