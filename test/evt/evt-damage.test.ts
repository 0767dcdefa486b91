// Damaged .evt input: truncated and bit-flipped copies of the corpus files and a fuzz loop over
// mutated small files. The reader must not throw or hang, must report damage with byte offsets,
// and must never emit a record where the undamaged file has none (EVT has no checksums, so a record
// whose own bytes were flipped can still be emitted with the flipped value: that is the only change
// allowed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventRecord } from '../../src/store/records.js';
import type { ReaderIssue } from '../../src/readers/types.js';
import { encodeRecord, layoutEvt, sampleRecords } from './build-evt.js';
import { CORPUS, readEvtBytes, type ReadResult } from './helpers.js';

const HEADER = 48;

/** Every offset where the undamaged file holds a framed record (length, LfLe, length copy). */
function genuineFrames(bytes: Buffer): Map<number, number> {
  const frames = new Map<number, number>();
  for (let o = HEADER; o + 8 <= bytes.length; o += 4) {
    if (bytes.toString('latin1', o + 4, o + 8) !== 'LfLe') continue;
    const length = bytes.readUInt32LE(o);
    if (length < 64 || length % 4 !== 0) continue;
    const end = o + length;
    const copyAt = end <= bytes.length ? end - 4 : HEADER + (end - bytes.length) - 4;
    if (copyAt + 4 <= bytes.length && bytes.readUInt32LE(copyAt) === length) frames.set(o, length);
  }
  return frames;
}

/** True when any byte of the record at `offset` (around the ring of `size` bytes) differs. */
function touched(offset: number, length: number, changed: Uint8Array, size: number): boolean {
  for (let i = 0; i < length; i++) {
    let at = offset + i;
    if (at >= size) at = HEADER + (at - size);
    if (at >= changed.length || changed[at]) return true;
  }
  return false;
}

function checkInvariants(name: string, original: Buffer, damaged: Buffer, result: ReadResult, frames: Map<number, number>): void {
  const changed = new Uint8Array(original.length);
  for (let i = 0; i < original.length; i++) changed[i] = i >= damaged.length || original[i] !== damaged[i] ? 1 : 0;
  for (const issue of result.issues) {
    assert.ok(issue.message.length > 0, `${name}: issue without message`);
    if (issue.offset !== undefined) assert.ok(issue.offset >= 0 && issue.offset <= Math.max(damaged.length, original.length), `${name}: issue offset ${issue.offset}`);
  }
  for (const record of result.records) {
    const offset = record.source_offset ?? -1;
    const length = damaged.readUInt32LE(offset);
    const genuine = frames.get(offset) === length && !touched(offset, length, changed, damaged.length);
    assert.ok(
      genuine || touched(offset, length, changed, damaged.length),
      `${name}: record ${record.record_id} at ${offset} exists in neither the original nor the damaged bytes`,
    );
    assert.equal(typeof record.provider, 'string');
    assert.ok(record.data.every((d) => typeof d.value === 'string'));
  }
}

function recordKey(r: EventRecord): string {
  return JSON.stringify([r.record_id, r.source_offset, r.event_id, r.provider, r.computer, String(r.time_created), r.data, r.binary_text]);
}

function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Hang guard: a variant that does not finish in this long is reported as a hang. */
async function withinBound<T>(work: Promise<T>, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: still reading after 10 s`)), 10_000);
  });
  try {
    return await Promise.race([work, hang]);
  } finally {
    clearTimeout(timer);
  }
}

const SYSEVENT = readFileSync(join(CORPUS, 'legacy-SysEvent-WinXP.Evt'));

test('SysEvent truncated at 24 points: only genuine records, the untouched live ones all kept', async () => {
  const frames = genuineFrames(SYSEVENT);
  const clean = await readEvtBytes(SYSEVENT, true);
  const cleanByOffset = new Map(clean.records.map((r) => [r.source_offset, recordKey(r)]));
  const cuts = [100, 2000, 50_000, 400_000, 1_000_000, 1_807_800, 1_807_988, 1_808_008, 1_808_028, 1_900_000, 1_966_384, 1_966_500, 2_031_376, 2_031_600];
  for (let i = 0; cuts.length < 24; i++) cuts.push(Math.floor(((i + 1) * SYSEVENT.length) / 11) + 6);
  for (const cut of cuts) {
    const damaged = SYSEVENT.subarray(0, cut);
    const result = await readEvtBytes(Buffer.from(damaged), true);
    checkInvariants(`cut ${cut}`, SYSEVENT, damaged, result, frames);
    for (const r of result.records) {
      const length = SYSEVENT.readUInt32LE(r.source_offset ?? 0);
      // Stale copies in the slack are genuine too, but the clean read skips them as duplicates.
      const cleanKey = cleanByOffset.get(r.source_offset);
      if ((r.source_offset ?? 0) + length <= cut && cleanKey) assert.equal(recordKey(r), cleanKey, `cut ${cut}: record at ${r.source_offset}`);
    }
    // Records 1573..7454 lie in one run from offset 48; every one wholly before the cut is read.
    const expectedRun = clean.records.filter((r) => !r.recovered && (r.source_offset ?? 0) >= 48 && (r.source_offset ?? 0) < 1_807_988);
    const whole = expectedRun.filter((r) => (r.source_offset ?? 0) + SYSEVENT.readUInt32LE(r.source_offset ?? 0) <= cut);
    const got = new Set(result.records.map((r) => r.source_offset));
    assert.ok(
      whole.every((r) => got.has(r.source_offset)),
      `cut ${cut}: lost ${whole.filter((r) => !got.has(r.source_offset)).length} complete records`,
    );
    if (cut < SYSEVENT.length) assert.ok(result.issues.some((i) => i.severity !== 'info'), `cut ${cut}: damage reported`);
  }
});

test('SysEvent with flipped bytes: no crash, no invented records, untouched records kept', async () => {
  const frames = genuineFrames(SYSEVENT);
  const clean = await readEvtBytes(SYSEVENT, true);
  const random = rng(818222);
  for (let variant = 0; variant < 30; variant++) {
    const damaged = Buffer.from(SYSEVENT);
    for (let f = 0; f < 8; f++) damaged[HEADER + Math.floor(random() * (damaged.length - HEADER))] ^= 1 << Math.floor(random() * 8);
    const result = await withinBound(readEvtBytes(damaged, true), `flip variant ${variant}`);
    checkInvariants(`flip variant ${variant}`, SYSEVENT, damaged, result, frames);
    const changed = new Uint8Array(SYSEVENT.length);
    for (let i = 0; i < SYSEVENT.length; i++) changed[i] = SYSEVENT[i] !== damaged[i] ? 1 : 0;
    const got = new Set(result.records.map(recordKey));
    const untouched = clean.records.filter((r) => !touched(r.source_offset ?? 0, SYSEVENT.readUInt32LE(r.source_offset ?? 0), changed, SYSEVENT.length));
    const kept = untouched.filter((r) => got.has(recordKey(r))).length;
    assert.ok(kept >= untouched.length - 2, `flip variant ${variant}: kept ${kept} of ${untouched.length} untouched records`);
  }
});

/** Small inputs for the fuzz loop: the two small corpus files and a wrapped file with slack. */
function fuzzSeeds(): Array<{ name: string; bytes: Buffer }> {
  const specs = sampleRecords(8, 40);
  const wrapped = layoutEvt({
    size: 1200,
    oldest: 900,
    records: specs,
    flags: 0x3,
    staleHeader: { startOffset: 48, endOffset: 48 },
  });
  const eofEnd = wrapped.eofOffset + 40;
  const withSlack = layoutEvt({
    size: 1200,
    oldest: 900,
    records: specs,
    flags: 0x3,
    slack: [{ offset: eofEnd + 4, bytes: encodeRecord(sampleRecords(1, 20)[0]) }],
  });
  return [
    { name: 'TestLog', bytes: readFileSync(join(CORPUS, 'legacy-TestLog.evt')) },
    { name: 'TestLog-dirty', bytes: readFileSync(join(CORPUS, 'legacy-TestLog-dirty.evt')) },
    { name: 'wrapped', bytes: withSlack.bytes },
  ];
}

const INTERESTING = [0, 1, 0x27, 0x28, 0x30, 0x38, 0x40, 0x7fffffff, 0xffffffff, 0x654c664c, 0x11111111];

function mutate(bytes: Buffer, random: () => number): Buffer {
  const out = Buffer.from(bytes);
  const pick = (n: number) => Math.floor(random() * n);
  switch (pick(5)) {
    case 0: // bit flips
      for (let i = 1 + pick(16); i > 0; i--) out[pick(out.length)] ^= 1 << pick(8);
      return out;
    case 1: // a dword set to a value that means something to the parser
      for (let i = 1 + pick(3); i > 0; i--) {
        const at = pick(out.length - 3) & ~3;
        out.writeUInt32LE(INTERESTING[pick(INTERESTING.length)] >>> 0, at);
      }
      return out;
    case 2: // truncation
      return out.subarray(0, pick(out.length));
    case 3: // a block copied over another place
    {
      const length = 1 + pick(200);
      const from = pick(out.length);
      bytes.copy(out, pick(out.length), from, Math.min(bytes.length, from + length));
      return out;
    }
    default: // a random run of bytes
    {
      const at = pick(out.length);
      for (let i = at; i < Math.min(out.length, at + 1 + pick(64)); i++) out[i] = pick(256);
      return out;
    }
  }
}

test('fuzz: 3,000 mutated small files, each read within a bound, no throw, no invented record', async () => {
  let rejection: unknown = null;
  const onRejection = (reason: unknown) => {
    rejection = reason;
  };
  process.on('unhandledRejection', onRejection);
  const random = rng(20031);
  const seeds = fuzzSeeds().map((s) => ({ ...s, frames: genuineFrames(s.bytes) }));
  let withRecords = 0;
  let withIssues = 0;
  try {
    for (let variant = 0; variant < 3000; variant++) {
      const seed = seeds[variant % seeds.length];
      const damaged = mutate(seed.bytes, random);
      const result = await withinBound(readEvtBytes(damaged, variant % 2 === 0), `${seed.name} variant ${variant}`);
      checkInvariants(`${seed.name} variant ${variant}`, seed.bytes, damaged, result, seed.frames);
      if (result.records.length > 0) withRecords++;
      if (result.issues.some((i: ReaderIssue) => i.severity !== 'info')) withIssues++;
    }
  } finally {
    process.off('unhandledRejection', onRejection);
  }
  assert.equal(rejection, null);
  // The loop must exercise both paths: most variants still yield records, many report damage.
  assert.ok(withRecords > 2000, `variants with records: ${withRecords}`);
  assert.ok(withIssues > 1000, `variants with damage reported: ${withIssues}`);
});
