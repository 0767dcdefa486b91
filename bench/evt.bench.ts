// Legacy .evt throughput: our EVT reader (parse to records) against libevt's `evtexport > /dev/null`
// on the same ~64 MB file, built from the real records of `legacy-SysEvent-WinXP.Evt` laid end to
// end and renumbered (a clean, non-wrapped log). Each run is a fresh process; runs alternate; medians
// of 5 are compared. Also prints our peak RSS, which must stay flat whatever the file size.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childResult, median, timeReader } from './lib.js';

const WORK = fileURLToPath(new URL('./.work/', import.meta.url));
const SOURCE = fileURLToPath(new URL('../../shared/corpus/evtx/legacy-SysEvent-WinXP.Evt', import.meta.url));
const FILE = join(WORK, 'sysevent-64mb.evt');
const TARGET_BYTES = 64 * 1024 * 1024;
const RUNS = 5;

interface RunResult {
  seconds: number;
  records: number;
  maxRssMb: number;
}

/** The framed, non-wrapping records of the source file (length, `LfLe`, matching length copy). */
function sourceRecords(bytes: Buffer): Buffer[] {
  const records: Buffer[] = [];
  for (let o = 48; o + 8 <= bytes.length; o += 4) {
    if (bytes.toString('latin1', o + 4, o + 8) !== 'LfLe') continue;
    const length = bytes.readUInt32LE(o);
    if (length < 64 || length % 4 !== 0 || o + length > bytes.length || bytes.readUInt32LE(o + length - 4) !== length) continue;
    records.push(bytes.subarray(o, o + length));
    o += length - 4;
  }
  return records;
}

function prepare(): void {
  mkdirSync(WORK, { recursive: true });
  if (existsSync(FILE)) return;
  const records = sourceRecords(readFileSync(SOURCE));
  const partial = `${FILE}.partial`;
  const fd = openSync(partial, 'w');
  const header = Buffer.alloc(48);
  writeSync(fd, header); // rewritten below once the end offset is known
  let offset = 48;
  let number = 1;
  while (offset + 64 * 1024 < TARGET_BYTES) {
    for (const record of records) {
      const copy = Buffer.from(record);
      copy.writeUInt32LE(number++, 8);
      writeSync(fd, copy, 0, copy.length, offset);
      offset += copy.length;
    }
  }
  const eof = Buffer.alloc(40);
  eof.writeUInt32LE(0x28, 0);
  [0x11111111, 0x22222222, 0x33333333, 0x44444444].forEach((v, i) => eof.writeUInt32LE(v, 4 + 4 * i));
  eof.writeUInt32LE(48, 20);
  eof.writeUInt32LE(offset, 24);
  eof.writeUInt32LE(number, 28);
  eof.writeUInt32LE(1, 32);
  eof.writeUInt32LE(0x28, 36);
  writeSync(fd, eof, 0, 40, offset);
  const size = offset + 40;
  header.writeUInt32LE(48, 0);
  header.write('LfLe', 4, 'latin1');
  header.writeUInt32LE(1, 8);
  header.writeUInt32LE(1, 12);
  header.writeUInt32LE(48, 16);
  header.writeUInt32LE(offset, 20);
  header.writeUInt32LE(number, 24);
  header.writeUInt32LE(1, 28);
  header.writeUInt32LE(size, 32);
  header.writeUInt32LE(0, 36);
  header.writeUInt32LE(0x93a80, 40);
  header.writeUInt32LE(48, 44);
  writeSync(fd, header, 0, 48, 0);
  closeSync(fd);
  renameSync(partial, FILE);
}

async function childParse(file: string): Promise<RunResult> {
  const { evtReader } = await import('../src/readers/evt/reader.js');
  const { seconds, records } = await timeReader(evtReader, file);
  return { seconds, records, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

function runOurs(): RunResult {
  return childResult<RunResult>(import.meta.url, [FILE]);
}

function runEvtexport(records: number): RunResult {
  const devNull = openSync('/dev/null', 'w');
  const started = performance.now();
  const run = spawnSync('evtexport', [FILE], { stdio: ['ignore', devNull, 'ignore'] });
  const seconds = (performance.now() - started) / 1000;
  closeSync(devNull);
  if (run.status !== 0) throw new Error(`evtexport failed with status ${run.status}`);
  return { seconds, records, maxRssMb: 0 };
}


async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    console.log(JSON.stringify(await childParse(process.argv[3])));
    return;
  }
  prepare();
  const ours: RunResult[] = [];
  const reference: RunResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(runOurs());
    reference.push(runEvtexport(ours[0].records));
  }
  const records = ours[0].records;
  const ourRate = records / median(ours.map((r) => r.seconds));
  const refRate = records / median(reference.map((r) => r.seconds));
  console.log(`file: ${FILE} (${records} records)`);
  console.log(`edgelog evt parse : ${Math.round(ourRate)} records/s (median of ${RUNS}), peak RSS ${Math.round(Math.max(...ours.map((r) => r.maxRssMb)))} MB`);
  console.log(`evtexport         : ${Math.round(refRate)} records/s (median of ${RUNS}, wall time incl. output to /dev/null)`);
  console.log(`ratio             : ${(ourRate / refRate).toFixed(2)}×`);
}

await main();
