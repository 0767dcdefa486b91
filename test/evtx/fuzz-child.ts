// Fuzz worker for fuzz.test.ts, run as a child process so a hang can be detected and killed from
// outside. Feeds seeded mutations and truncations of small corpus files through the EVTX reader
// (with and without recover) and checks that it neither throws nor yields a record it did not
// decode. Prints `progress N` lines and a final `done {json}` line.
import { readFileSync } from 'node:fs';
import { bufferSource } from '../../src/readers/byte-source.js';
import { decodeEvtx } from '../../src/readers/evtx/reader.js';
import type { ReaderIssue } from '../../src/readers/types.js';

const [corpusDir, countText, seedText] = process.argv.slice(2);
const VARIANTS = Number(countText);
const BASE_SEED = Number(seedText);
const BASES = [
  'classic-MSSQL-18456-Application.evtx',
  'exchange-MSExchangeCmdletLogs-ID6.evtx',
  'flat-binxml-Defender-1116-1117.evtx',
  'dirty-Application-no-crc32.evtx',
].map((name) => readFileSync(corpusDir + name));

/** mulberry32: small seeded PRNG, so every variant can be rebuilt from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 512, 4096, 65536];

function mutate(seed: number): Buffer {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const base = BASES[seed % BASES.length];
  let bytes = Buffer.from(base);
  const steps = 1 + int(4);
  for (let s = 0; s < steps; s++) {
    // Most damage goes to the record area, where the BinXML is.
    const at = () => (random() < 0.8 ? 4096 + 512 + int(Math.max(1, bytes.length - 4608)) : int(bytes.length));
    switch (int(6)) {
      case 0:
        for (let i = 0, n = 1 + int(16); i < n; i++) bytes[at()] ^= 1 << int(8);
        break;
      case 1:
        for (let i = 0, n = 1 + int(8); i < n; i++) bytes[at()] = int(256);
        break;
      case 2: {
        const p = Math.min(at(), bytes.length - 4);
        if (p >= 0) bytes.writeUInt32LE(INTERESTING_U32[int(INTERESTING_U32.length)], p);
        break;
      }
      case 3:
        bytes = bytes.subarray(0, int(bytes.length + 1));
        break;
      case 4: {
        const from = int(bytes.length);
        bytes.fill(random() < 0.5 ? 0 : 0xff, from, Math.min(bytes.length, from + 1 + int(256)));
        break;
      }
      case 5: {
        const length = 1 + int(512);
        const from = int(Math.max(1, bytes.length - length));
        bytes.copy(bytes, at(), from, from + length);
        break;
      }
    }
  }
  return bytes;
}

async function check(bytes: Buffer, recover: boolean): Promise<number> {
  const issues: ReaderIssue[] = [];
  const ctx = { tz: null, recover, issue: (i: ReaderIssue) => issues.push(i), timeRule() {} };
  let records = 0;
  for await (const { record } of decodeEvtx(bufferSource('fuzz.evtx', bytes), ctx, recover)) {
    if (record.event_id === null || typeof record.record_id !== 'number') throw new Error('record without EventID or EventRecordID');
    if (record.source_offset === null || record.source_offset < 4096 || record.source_offset >= bytes.length) {
      throw new Error(`record offset ${record.source_offset} outside the file`);
    }
    records++;
  }
  for (const issue of issues) if (typeof issue.offset !== 'number') throw new Error(`issue without offset: ${issue.message}`);
  return records;
}

let unhandled: unknown = null;
process.on('unhandledRejection', (reason) => {
  unhandled = reason;
});

let records = 0;
let slowest = { seed: -1, ms: 0 };
for (let i = 0; i < VARIANTS; i++) {
  const seed = BASE_SEED + i;
  const bytes = mutate(seed);
  const started = performance.now();
  try {
    records += await check(bytes, i % 2 === 1);
  } catch (error) {
    console.log(`failed ${JSON.stringify({ seed, message: (error as Error).stack ?? String(error) })}`);
    process.exit(1);
  }
  const ms = performance.now() - started;
  if (ms > slowest.ms) slowest = { seed, ms: Math.round(ms) };
  if (i % 250 === 0) console.log(`progress ${i} seed ${seed}`);
}
await new Promise((resolve) => setImmediate(resolve));
console.log(`done ${JSON.stringify({ variants: VARIANTS, records, slowest, unhandled: unhandled === null ? null : String(unhandled) })}`);
