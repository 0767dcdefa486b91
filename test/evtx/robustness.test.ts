// Dirty, corrupt and truncated files: at least as many correct records as the better oracle, none
// that the oracles do not have, damage reported with its byte offset; with `recover`, carved
// records are flagged, unique by EventRecordID, and include what libevtx recovers.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { recordSizeAt } from '../../src/readers/evtx/chunk.js';
import { CORPUS, corpusFiles, libevtx, paddedCopy, pythonEvtx, readCorpusFile } from './helpers.js';
import { differences } from './libevtx-compare.js';

const scratch = mkdtempSync(join(tmpdir(), 'edgelog-evtx-robust-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const DAMAGED = corpusFiles('.evtx').filter((n) => /^(dirty|truncated|malformed)-/.test(n));

test('the corpus has the damaged files this test is about', () => {
  assert.ok(DAMAGED.length >= 6, DAMAGED.join(', '));
});

/** Does the record python-evtx rendered at `offset` frame correctly (size = trailing copy)? */
function frames(bytes: Buffer, offset: number): boolean {
  const chunkStart = offset - ((offset - 4096) % 0x10000);
  return recordSizeAt(bytes.subarray(chunkStart, chunkStart + 0x10000), offset - chunkStart) > 0;
}

for (const name of DAMAGED) {
  test(`${name}: no fewer correct records than the better oracle, none extra`, async () => {
    const bytes = readFileSync(CORPUS + name);
    const { decoded, issues } = await readCorpusFile(name);
    const ours = decoded.map((d) => d.record);
    const lib = libevtx(CORPUS + name);
    const python = pythonEvtx(CORPUS + name);
    // python-evtx also renders records whose size copy is broken (cut-off garbage); those are not correct records.
    const pythonCorrect = python.records.filter((r) => frames(bytes, r.offset));
    const pythonBroken = python.records.filter((r) => !frames(bytes, r.offset));
    assert.ok(ours.length >= Math.max(lib.records.length, pythonCorrect.length), `ours ${ours.length}`);
    const ourOffsets = new Set(ours.map((r) => r.source_offset));
    for (const r of pythonCorrect) assert.ok(ourOffsets.has(r.offset), `python-evtx record at ${r.offset} missing`);
    const rejectedAt = new Set(issues.filter((i) => i.rejected).map((i) => i.offset));
    for (const r of pythonBroken) assert.ok(rejectedAt.has(r.offset), `broken record at ${r.offset} not reported`);
    // Zero extra records: the same EventRecordIDs in the same order as libevtx (given the whole
    // final chunk when the file is truncated).
    const reference = libevtx(paddedCopy(name, scratch) ?? CORPUS + name);
    assert.deepEqual(
      ours.map((r) => String(r.record_id)),
      reference.records.map((r) => r.record_id),
    );
    for (const issue of issues) assert.equal(typeof issue.offset, 'number', issue.message);
  });
}

test('truncated copy: the 89 complete records of the short final chunk are read, the cut one reported', async () => {
  const { decoded, issues } = await readCorpusFile('truncated-System2-200000B.evtx');
  const inFinal = decoded.filter((d) => (d.record.source_offset ?? 0) >= 4096 + 2 * 0x10000);
  assert.equal(inFinal.length, 89);
  assert.equal(decoded.length, 283);
  assert.deepEqual(
    issues.filter((i) => i.rejected).map((i) => i.offset),
    [199640],
  );
});

test('dirty file with a stale chunk count: all 15 chunks read', async () => {
  const { decoded, issues } = await readCorpusFile('dirty-system-stale-chunk-count.evtx');
  assert.equal(decoded.length, 1881);
  assert.ok(issues.some((i) => i.message === 'header says 3 chunks, 15 found'));
});

test('CRCs all zero and flags 0x4: every record read, mismatches only warned', async () => {
  const { decoded, issues } = await readCorpusFile('dirty-Application-no-crc32.evtx');
  assert.equal(decoded.length, 17);
  assert.ok(issues.length >= 3);
  assert.ok(issues.every((i) => i.severity === 'warning' && !i.rejected));
});

for (const name of DAMAGED.filter((n) => !n.startsWith('truncated-'))) {
  test(`${name} with recover: carved records flagged, unique, and a superset of libevtx's`, async () => {
    const { decoded } = await readCorpusFile(name, { recover: true });
    const live = decoded.filter((d) => !d.record.recovered).map((d) => d.record);
    const carved = decoded.filter((d) => d.record.recovered).map((d) => d.record);
    const ids = decoded.map((d) => d.record.record_id);
    assert.equal(new Set(ids).size, ids.length, 'EventRecordIDs unique');
    assert.equal(live.length, libevtx(CORPUS + name).records.length);
    const liveIds = new Set(live.map((r) => String(r.record_id)));
    const byId = new Map(carved.map((r) => [String(r.record_id), r]));
    const theirs = libevtx(CORPUS + name, 'recovered').records.filter((r) => !liveIds.has(r.record_id!));
    const problems: string[] = [];
    for (const r of theirs) {
      const mine = byId.get(r.record_id!);
      if (!mine) problems.push(`libevtx recovers ${r.record_id}, we do not`);
      else if (differences(mine, r).length > 0) problems.push(`${r.record_id}: ${differences(mine, r).join('; ')}`);
    }
    assert.deepEqual(problems, []);
  });
}
