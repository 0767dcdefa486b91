// Shared by the EVT tests: run the reader over a file or bytes and collect records and issues, and
// run the libevt oracle (python3-libevt) over a corpus file.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bufferSource, fileSource } from '../../src/readers/byte-source.js';
import { evtReader } from '../../src/readers/evt/reader.js';
import type { ByteSource, ReaderIssue } from '../../src/readers/types.js';
import type { EventRecord } from '../../src/store/records.js';

export const CORPUS = fileURLToPath(new URL('../../../shared/corpus/evtx/', import.meta.url));

export interface ReadResult {
  records: EventRecord[];
  issues: ReaderIssue[];
}

export async function readSource(source: ByteSource, recover = false): Promise<ReadResult> {
  const records: EventRecord[] = [];
  const issues: ReaderIssue[] = [];
  const ctx = { tz: null, recover, issue: (i: ReaderIssue) => void issues.push(i), timeRule: () => {} };
  for await (const record of evtReader.read(source, ctx)) {
    if (record.table === 'events') records.push(record);
  }
  return { records, issues };
}

export async function readEvtFile(path: string, recover = false): Promise<ReadResult> {
  return readSource(await fileSource(path), recover);
}

export function readEvtBytes(bytes: Buffer, recover = false, name = 'test.evt'): Promise<ReadResult> {
  return readSource(bufferSource(name, bytes), recover);
}

export interface OracleRecord {
  recovered: boolean;
  offset: number;
  record_number: number;
  event_identifier: number;
  event_type: number;
  event_category: number;
  source: string;
  computer: string;
  time: number;
  sid: string | null;
  strings: string[];
  data: string | null;
}

/** libevt's view of a file, through test/evt/pyevt-oracle.py. */
export function pyevtRecords(path: string): OracleRecord[] {
  // Debian's python3-libevt installs for the system interpreter, which a pyenv shim may hide.
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const script = fileURLToPath(new URL('./pyevt-oracle.py', import.meta.url));
  const run = spawnSync(python, [script, path], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (run.status !== 0) throw new Error(`pyevt oracle failed on ${path}: ${run.stderr}`);
  return run.stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as OracleRecord);
}
