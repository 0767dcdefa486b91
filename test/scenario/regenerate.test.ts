// The committed scenario is exactly what `npm run scenario -- --seed 1 --scale 1` writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../../fixtures/generate/main.js';

const committed = fileURLToPath(new URL('../../fixtures/scenario/', import.meta.url));

function hashes(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

test('seed 1, scale 1 regenerates fixtures/scenario byte for byte', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
  try {
    generate({ seed: 1, scale: 1, out: dir });
    const fresh = hashes(dir);
    const expected = hashes(committed);
    assert.deepEqual([...fresh.keys()].sort(), [...expected.keys()].sort());
    for (const [file, hash] of expected) assert.equal(fresh.get(file), hash, `${file} differs`);
    assert.ok(expected.size >= 40, `only ${expected.size} files`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
