// Shared by the EVTX tests: the corpus location, reading a file with our reader, and the libevtx
// oracle (python3-libevtx, run once per file through test/evtx/libevtx-oracle.py).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bufferSource, fileSource } from '../../src/readers/byte-source.js';
import { CHUNK_SIZE } from '../../src/readers/evtx/chunk.js';
import { FILE_HEADER_SIZE } from '../../src/readers/evtx/file-header.js';
import type { DecodedRecord } from '../../src/readers/evtx/record-decoder.js';
import { decodeEvtx } from '../../src/readers/evtx/reader.js';
import type { ByteSource, ReaderIssue } from '../../src/readers/types.js';

export const CORPUS = fileURLToPath(new URL('../../../shared/corpus/evtx/', import.meta.url));
const ORACLE_SCRIPT = fileURLToPath(new URL('./libevtx-oracle.py', import.meta.url));
const PYTHON_EVTX_SCRIPT = fileURLToPath(new URL('./python-evtx-oracle.py', import.meta.url));
/** Debian's python3-libevtx lives in the system interpreter, not in a pyenv one. */
const SYSTEM_PYTHON = '/usr/bin/python3';

export function corpusFiles(extension: string): string[] {
  return readdirSync(CORPUS)
    .filter((name) => name.toLowerCase().endsWith(extension))
    .sort();
}

export interface ReadResult {
  decoded: DecodedRecord[];
  issues: ReaderIssue[];
}

export async function readSource(source: ByteSource, options: { recover?: boolean; xml?: boolean } = {}): Promise<ReadResult> {
  const issues: ReaderIssue[] = [];
  const decoded: DecodedRecord[] = [];
  const ctx = { tz: null, recover: options.recover ?? false, issue: (i: ReaderIssue) => issues.push(i), timeRule() {} };
  for await (const d of decodeEvtx(source, ctx, options.xml ?? false)) decoded.push(d);
  return { decoded, issues };
}

export async function readCorpusFile(name: string, options: { recover?: boolean; xml?: boolean } = {}): Promise<ReadResult> {
  return readSource(await fileSource(CORPUS + name), options);
}

export function readBuffer(bytes: Buffer, options: { recover?: boolean } = {}): Promise<ReadResult> {
  return readSource(bufferSource('mem.evtx', bytes), options);
}

export interface OracleRecord {
  record_id: string | null;
  event_id: string | null;
  qualifiers: string | null;
  provider: string | null;
  channel: string | null;
  computer: string | null;
  time_created: string | null;
  data: [string | null, string][];
  binary: string | null;
}

/**
 * libevtx drops a short final chunk (a truncated copy) as a whole. To check the complete records
 * we read from it, the oracle gets a copy padded with zeros to a whole chunk (same records, no
 * new bytes); null when the file needs no padding.
 */
export function paddedCopy(name: string, dir: string): string | null {
  const bytes = readFileSync(CORPUS + name);
  const tail = (bytes.length - FILE_HEADER_SIZE) % CHUNK_SIZE;
  if (tail === 0) return null;
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([bytes, Buffer.alloc(CHUNK_SIZE - tail)]));
  return path;
}

/** python-evtx's records (file offset, EventRecordID) and its count of records it failed on. */
export function pythonEvtx(path: string): { records: { offset: number; record_id: string | null }[]; failed: number } {
  const run = spawnSync(SYSTEM_PYTHON, [PYTHON_EVTX_SCRIPT, path], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`python-evtx oracle failed on ${path}: ${run.stderr}`);
  const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { offset: number; record_id: string | null; failed?: number });
  const last = lines.pop();
  return { records: lines, failed: last?.failed ?? 0 };
}

export interface OracleOutput {
  records: OracleRecord[];
  failures: string[];
}

/** libevtx's view of a file (a path): 'items' (allocated records) or 'recovered'. */
export function libevtx(path: string, mode: 'items' | 'recovered' = 'items'): OracleOutput {
  const run = spawnSync(SYSTEM_PYTHON, [ORACLE_SCRIPT, path, mode], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`libevtx oracle failed on ${path}: ${run.stderr}`);
  const records: OracleRecord[] = [];
  const failures: string[] = [];
  for (const line of run.stdout.split('\n')) {
    if (!line) continue;
    const parsed = JSON.parse(line) as OracleRecord & { failed?: string };
    if (parsed.failed !== undefined) failures.push(parsed.failed);
    else records.push(parsed);
  }
  return { records, failures };
}
