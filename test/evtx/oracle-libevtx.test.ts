// Oracle agreement: for every .evtx in the corpus, our records equal libevtx's (python3-libevtx
// 20181227) in count and, per record, EventRecordID, EventID, Qualifiers, Provider, Channel,
// Computer, TimeCreated to 100 ns, Data values and Binary, with libevtx's documented deviations
// accepted by rule (libevtx-compare.ts). A truncated file is compared with libevtx's reading of a
// zero-padded copy, because libevtx drops a short final chunk whole.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CORPUS, corpusFiles, libevtx, paddedCopy, readCorpusFile } from './helpers.js';
import { differences, ruleHits } from './libevtx-compare.js';

/** Files whose every record libevtx refuses (template-less BinXML); checked by hand in flat-binxml.test.ts. */
const FLAT_FILES = new Set(['flat-binxml-Defender-1116-1117.evtx']);

const scratch = mkdtempSync(join(tmpdir(), 'edgelog-evtx-oracle-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let compared = 0;
for (const name of corpusFiles('.evtx').filter((n) => !FLAT_FILES.has(n))) {
  test(`${name}: every record agrees with libevtx`, async () => {
    const oracle = libevtx(paddedCopy(name, scratch) ?? CORPUS + name);
    assert.deepEqual(oracle.failures, [], 'libevtx renders every record of this file');
    const ours = (await readCorpusFile(name)).decoded.map((d) => d.record);
    assert.equal(ours.length, oracle.records.length, 'record count');
    const problems: string[] = [];
    ours.forEach((record, i) => {
      for (const d of differences(record, oracle.records[i])) problems.push(`record ${record.record_id} at ${record.source_offset}: ${d}`);
    });
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} differences`);
    compared += ours.length;
  });
}

test('libevtx agreement covered every record of the corpus (flat files aside)', () => {
  // 10 + 2216 + 1601 + 17 + 1910 + 267 + 1881 + 335 + 4 + 283 + 366 + 1715 + 1247
  assert.equal(compared, 11852);
  console.log(`libevtx deviation rules applied (Data values): ${JSON.stringify(Object.fromEntries(ruleHits))}`);
});
