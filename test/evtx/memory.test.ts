// Streaming is real: `edgelog dump` of a ~105 MB EVTX (the chunks of throughput-mix-512chunks
// repeated to 1,601 chunks, written to a temp dir) peaks under 256 MB of RSS, measured on the
// child process by /usr/bin/time, and prints every record.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { after, test } from 'node:test';
import { CHUNK_SIZE } from '../../src/readers/evtx/chunk.js';
import { FILE_HEADER_SIZE } from '../../src/readers/evtx/file-header.js';
import { CORPUS, readBuffer } from './helpers.js';

const CHUNKS = 1601;
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'edgelog-evtx-memory-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('dumping a 105 MB EVTX stays under 256 MB peak RSS', { timeout: 10 * 60_000 }, async () => {
  const small = execFileSync('xz', ['-dc', join(CORPUS, 'throughput-mix-512chunks.evtx.xz')], { maxBuffer: 1 << 27 });
  const slots = (small.length - FILE_HEADER_SIZE) / CHUNK_SIZE;
  assert.equal(slots, 512);
  const header = Buffer.from(small.subarray(0, FILE_HEADER_SIZE));
  header.writeUInt16LE(CHUNKS, 42);
  header.writeUInt32LE(crc32(header.subarray(0, 120)), 124);
  const big = join(scratch, 'big.evtx');
  const fd = openSync(big, 'w');
  writeSync(fd, header);
  for (let i = 0; i < CHUNKS; i++) writeSync(fd, small, FILE_HEADER_SIZE + (i % slots) * CHUNK_SIZE, CHUNK_SIZE);
  closeSync(fd);
  assert.equal(statSync(big).size, FILE_HEADER_SIZE + CHUNKS * CHUNK_SIZE); // 104,927,232 bytes

  // Expected records: three full cycles of the small file plus its first 65 chunks.
  const { decoded } = await readBuffer(small);
  assert.equal(decoded.length, 37_400);
  const partialCycle = FILE_HEADER_SIZE + (CHUNKS % slots) * CHUNK_SIZE;
  const expected = 3 * decoded.length + decoded.filter((d) => d.record.source_offset! < partialCycle).length;

  const out = join(scratch, 'dump.jsonl');
  const outFd = openSync(out, 'w');
  const run = spawnSync('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, '--import', 'tsx', CLI, 'dump', big], {
    stdio: ['ignore', outFd, 'pipe'],
    encoding: 'utf8',
  });
  closeSync(outFd);
  assert.equal(run.status, 0, run.stderr);
  const maxRssKb = Number(/maxrss_kb=(\d+)/.exec(run.stderr)![1]);
  const lines = execFileSync('wc', ['-l', out], { encoding: 'utf8' });
  assert.equal(Number(lines.trim().split(' ')[0]), expected);
  console.log(`dump of ${CHUNKS} chunks: ${expected} records, peak RSS ${Math.round(maxRssKb / 1024)} MB`);
  assert.ok(maxRssKb < 256 * 1024, `peak RSS ${maxRssKb} kB`);
});
