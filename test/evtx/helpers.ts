// Shared by the EVTX tests: the corpus location, reading a file with our reader, and the libevtx
// oracle (python3-libevtx, run once per file through test/evtx/libevtx-oracle.py).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bufferSource, fileSource } from '../../src/readers/byte-source.js';
import type { DecodedRecord } from '../../src/readers/evtx/record-decoder.js';
import { decodeEvtx } from '../../src/readers/evtx/reader.js';
import type { ByteSource, ReaderIssue } from '../../src/readers/types.js';

export const CORPUS = fileURLToPath(new URL('../../../shared/corpus/evtx/', import.meta.url));
const ORACLE_SCRIPT = fileURLToPath(new URL('./libevtx-oracle.py', import.meta.url));
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

export interface OracleOutput {
  records: OracleRecord[];
  failures: string[];
}

/** libevtx's view of a file: 'items' (allocated records) or 'recovered'. */
export function libevtx(name: string, mode: 'items' | 'recovered' = 'items'): OracleOutput {
  const run = spawnSync(SYSTEM_PYTHON, [ORACLE_SCRIPT, CORPUS + name, mode], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`libevtx oracle failed on ${name}: ${run.stderr}`);
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
