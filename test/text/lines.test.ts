// readLineBatches splits a file read in 256 KiB chunks (the next one read ahead) into batches of
// about 32 KiB of lines; these tests check every line's text, number and byte offsets against the
// bytes themselves, across chunk and batch boundaries, CRLF and LF, Windows-1252 fallback, an
// over-long line and UTF-16LE, and that fileSource streams exactly the requested byte range.
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSource } from '../../src/readers/byte-source.js';
import { MAX_LINE_BYTES, readLineBatches, type TextLine } from '../../src/readers/text/lines.js';

const dir = mkdtempSync(join(tmpdir(), 'edgelog-lines-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function batchesOf(bytes: Buffer, name: string): Promise<TextLine[][]> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const batches: TextLine[][] = [];
  for await (const lines of readLineBatches(await fileSource(path))) batches.push(lines);
  return batches;
}

test('every line of a 1.5 MB log: text, number and offsets from the bytes, in batches of about 32 KiB', async () => {
  const expected: { text: string; offset: number; nextOffset: number }[] = [];
  const parts: Buffer[] = [];
  let offset = 0;
  for (let n = 0; offset < 1_500_000; n++) {
    const text = n % 97 === 0 ? '' : n % 89 === 0 ? 'caf\u00e9 d\u00e9j\u00e0' : `line ${n} ${'x'.repeat((n * 37) % 300)}`;
    const body = n % 89 === 0 ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8'); // latin1 bytes are not UTF-8: Windows-1252
    const end = Buffer.from(n % 3 === 0 ? '\n' : '\r\n');
    parts.push(body, end);
    expected.push({ text, offset, nextOffset: offset + body.length + end.length });
    offset += body.length + end.length;
  }
  const batches = await batchesOf(Buffer.concat(parts), 'mixed.log');
  const lines = batches.flat();
  assert.equal(lines.length, expected.length);
  lines.forEach((line, i) => {
    assert.deepEqual(
      { text: line.text, lineNo: line.lineNo, offset: line.offset, nextOffset: line.nextOffset, truncated: line.truncated },
      { ...expected[i], lineNo: i + 1, truncated: false },
      `line ${i + 1}`,
    );
  });
  assert.ok(batches.length >= 40, `${batches.length} batches`);
  for (const batch of batches) {
    const bytes = batch[batch.length - 1].nextOffset - batch[0].offset;
    assert.ok(bytes <= 32 * 1024 + 400, `a batch of ${bytes} bytes`);
  }
});

test('a line longer than MAX_LINE_BYTES is cut and flagged once; the next line is whole', async () => {
  const long = 'L'.repeat(MAX_LINE_BYTES + 300_000);
  const bytes = Buffer.from(`first\r\n${long}\r\nafter\r\n`);
  const lines = (await batchesOf(bytes, 'long.log')).flat();
  assert.deepEqual(
    lines.map((l) => [l.lineNo, l.text.length, l.truncated, l.offset]),
    [
      [1, 5, false, 0],
      [2, MAX_LINE_BYTES, true, 7],
      [3, 5, false, 7 + long.length + 2],
    ],
  );
  assert.equal(lines[2].text, 'after');
});

test('UTF-16LE with its BOM: lines decoded, offsets in bytes', async () => {
  const body = Buffer.from('#Fields: a b\r\nZ\u00fcrich 1\r\n', 'utf16le');
  const lines = (await batchesOf(Buffer.concat([Buffer.from([0xff, 0xfe]), body]), 'wide.log')).flat();
  assert.deepEqual(
    lines.map((l) => [l.text, l.offset, l.nextOffset]),
    [
      ['#Fields: a b', 2, 30],
      ['Z\u00fcrich 1', 30, 50],
    ],
  );
});

test('fileSource streams exactly [start, size limit), and a consumer may stop early', async () => {
  const bytes = Buffer.alloc(700_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
  const path = join(dir, 'range.bin');
  writeFileSync(path, bytes);
  const source = await fileSource(path, 0, 650_001);
  const chunks: Buffer[] = [];
  for await (const chunk of source.stream(12_345, 100_000)) chunks.push(Buffer.from(chunk));
  assert.deepEqual(
    chunks.map((c) => c.length),
    [100_000, 100_000, 100_000, 100_000, 100_000, 100_000, 37_656],
  );
  assert.ok(Buffer.concat(chunks).equals(bytes.subarray(12_345, 650_001)));
  for await (const chunk of source.stream(0, 4096)) {
    assert.equal(chunk[1], 7);
    break; // the read already in flight settles before the handle closes
  }
});

test('Windows-1252 lines: bytes 0x80-0x9F decode as Python\'s cp1252 codec says (Node\'s own decoder gives C1 controls)', async () => {
  const bytes = Buffer.from(Array.from({ length: 0x80 }, (_, i) => 0x80 + i));
  const oracle = spawnSync('python3', ['-c', 'import sys; sys.stdout.write(bytes(range(0x80, 0x100)).decode("cp1252", errors="replace"))'], { encoding: 'utf8' });
  assert.equal(oracle.status, 0, oracle.stderr);
  const [line] = (await batchesOf(Buffer.concat([bytes, Buffer.from('\r\n')]), 'cp1252.log')).flat();
  // Python leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined; WHATWG maps them to themselves.
  const expected = [...oracle.stdout].map((c, i) => (c === '\uFFFD' ? String.fromCharCode(0x80 + i) : c)).join('');
  assert.equal(line.text, expected);
  assert.equal(line.text.slice(0, 1) + line.text.slice(0x13, 0x15), '\u20ac\u201c\u201d');
});
