// Fuzz: 20,000 seeded mutations and truncations of small corpus files through the EVTX reader
// (fuzz-child.ts), in a child process watched from here: the run fails on a thrown error, a record
// that was not decoded, an unhandled rejection, or a stall (no progress for STALL_MS, i.e. one
// batch of 250 variants did not finish: a hang). Failures name the seed that rebuilds the variant.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { CORPUS } from './helpers.js';

const VARIANTS = 20_000;
const SEED = 0x5eed;
const STALL_MS = 30_000;
const CHILD = fileURLToPath(new URL('./fuzz-child.ts', import.meta.url));

interface Summary {
  variants: number;
  records: number;
  slowest: { seed: number; ms: number };
  unhandled: string | null;
}

function runFuzz(): Promise<{ summary: Summary | null; failure: string | null; lastProgress: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, CORPUS, String(VARIANTS), String(SEED)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let summary: Summary | null = null;
    let failure: string | null = null;
    let lastProgress = 'none';
    let watchdog = setTimeout(stall, STALL_MS);
    function stall(): void {
      failure = `no progress for ${STALL_MS} ms after "${lastProgress}": a variant hangs`;
      child.kill('SIGKILL');
    }
    createInterface({ input: child.stdout }).on('line', (line) => {
      clearTimeout(watchdog);
      watchdog = setTimeout(stall, STALL_MS);
      if (line.startsWith('progress ')) lastProgress = line;
      else if (line.startsWith('done ')) summary = JSON.parse(line.slice(5)) as Summary;
      else if (line.startsWith('failed ')) failure = line.slice(7);
    });
    child.on('close', () => {
      clearTimeout(watchdog);
      resolve({ summary, failure, lastProgress });
    });
  });
}

test(`EVTX reader survives ${VARIANTS} mutated and truncated files`, { timeout: 15 * 60_000 }, async () => {
  const { summary, failure } = await runFuzz();
  assert.equal(failure, null);
  assert.ok(summary);
  assert.equal(summary.variants, VARIANTS);
  assert.equal(summary.unhandled, null);
  // Many variants keep most of their records: the reader skips damage instead of giving up.
  assert.ok(summary.records > VARIANTS, `records ${summary.records}`);
  console.log(`fuzz: ${summary.variants} variants, ${summary.records} records, slowest variant ${summary.slowest.ms} ms (seed ${summary.slowest.seed})`);
});
