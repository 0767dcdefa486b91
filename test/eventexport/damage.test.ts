// Damaged exports: a truncated or malformed event is dropped with one issue at its byte offset and
// the events around it are kept; a fuzz loop over mutated XML and CSV exports never throws and never
// yields more events than the file could hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventCsvReader } from '../../src/readers/eventexport/text-export-reader.js';
import { eventXmlReader } from '../../src/readers/eventexport/xml-reader.js';
import { FIXTURES, readBytesWith } from './helpers.js';

const XML = readFileSync(join(FIXTURES, 'smtpevt-20031.wevtutil.xml'), 'utf8');
const FIRST = XML.indexOf('<Event xmlns');
const SECOND = XML.indexOf('<Event xmlns', FIRST + 1);
const THIRD = XML.indexOf('<Event xmlns', SECOND + 1);

test('XML cut inside the second event: the first is kept, the second dropped at its offset', async () => {
  const { records, issues } = await readBytesWith(eventXmlReader, Buffer.from(XML.slice(0, SECOND + 300)));
  assert.deepEqual(
    records.map((r) => r.record_id),
    [4711],
  );
  assert.deepEqual(issues, [{ severity: 'warning', message: `event at offset ${SECOND} dropped: the file ends inside it`, offset: SECOND, rejected: true }]);
});

test('XML with an undefined entity in the third event: that event alone is dropped', async () => {
  const damaged = XML.replace('running &amp;', 'running &bogus;');
  const { records, issues } = await readBytesWith(eventXmlReader, Buffer.from(damaged));
  assert.deepEqual(
    records.map((r) => r.record_id),
    [4711, 4712],
  );
  assert.equal(issues.length, 1);
  assert.equal(issues[0].offset, THIRD);
  assert.equal(issues[0].rejected, true);
  assert.match(issues[0].message, /undefined entity/);
});

test('XML with an unclosed <Data> in the third event: dropped, the others kept', async () => {
  const damaged = XML.replace('<Data>Microsoft Firewall</Data>', '<Data>Microsoft Firewall');
  const { records, issues } = await readBytesWith(eventXmlReader, Buffer.from(damaged));
  assert.deepEqual(
    records.map((r) => r.record_id),
    [4711, 4712],
  );
  assert.deepEqual(
    issues.map((i) => [i.offset, i.rejected]),
    [[THIRD, true]],
  );
});

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

function mutate(bytes: Buffer, random: () => number): Buffer {
  const pick = (n: number) => Math.floor(random() * n);
  if (random() < 0.3) return bytes.subarray(0, pick(bytes.length));
  const out = Buffer.from(bytes);
  const specials = [0x3c, 0x3e, 0x26, 0x22, 0x27, 0x2c, 0x0a, 0x00, 0xff];
  for (let i = 1 + pick(8); i > 0; i--) out[pick(out.length)] = random() < 0.5 ? specials[pick(specials.length)] : pick(256);
  return out;
}

test('fuzz: 1,500 mutated XML and CSV exports read without throwing', async () => {
  const random = rng(818222);
  const inputs = [
    { reader: eventXmlReader, bytes: Buffer.from(XML), most: 3 },
    { reader: eventXmlReader, bytes: readFileSync(join(FIXTURES, 'smtpevt-20031.saved.xml')), most: 1 },
    { reader: eventCsvReader, bytes: readFileSync(join(FIXTURES, 'smtpevt-20031.csv')), most: 4 },
  ];
  let damagedReported = 0;
  for (let variant = 0; variant < 1500; variant++) {
    const input = inputs[variant % inputs.length];
    const damaged = mutate(input.bytes, random);
    const { records, issues } = await readBytesWith(input.reader, damaged, 'UTC');
    // A flipped newline can split a CSV row in two, so allow one extra row per mutation there.
    assert.ok(records.length <= input.most + (input.reader === eventCsvReader ? 8 : 0), `variant ${variant}: ${records.length} records`);
    for (const issue of issues) {
      assert.ok(issue.message.length > 0);
      if (issue.offset !== undefined) assert.ok(issue.offset >= 0 && issue.offset <= damaged.length + 4, `variant ${variant}: offset ${issue.offset}`);
    }
    for (const r of records) assert.ok(r.time_created === null || typeof r.time_created === 'bigint');
    if (issues.some((i) => i.rejected)) damagedReported++;
  }
  assert.ok(damagedReported > 300, `variants with a dropped event reported: ${damagedReported}`);
});
