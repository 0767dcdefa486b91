// `npm run scenario` options: defaults, and errors that name the option at fault.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../../fixtures/generate/main.js';

test('defaults regenerate the bundled scenario', () => {
  assert.deepEqual(parseArgs([]), { seed: 1, scale: 1, out: 'fixtures/scenario' });
  assert.deepEqual(parseArgs(['--seed', '7', '--scale', '40', '--out', '/tmp/x']), { seed: 7, scale: 40, out: '/tmp/x' });
});

test('bad values and unknown options are refused with the option named', () => {
  assert.throws(() => parseArgs(['--scale', '0']), /^Error: --scale: "0" must be an integer of at least 1$/);
  assert.throws(() => parseArgs(['--seed', '1.5']), /^Error: --seed: "1.5" must be an integer of at least 0$/);
  assert.throws(() => parseArgs(['--out']), /^Error: --out: a folder is required$/);
  assert.throws(() => parseArgs(['--days', '3']), /^Error: unknown option --days/);
});
