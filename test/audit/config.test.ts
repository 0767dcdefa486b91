// The audit config file: a valid file resolves paths against its own folder; every kind of mistake
// names the file and the key path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAuditConfig } from '../../src/audit/config.js';
import { parseWindowBound } from '../../src/util/time-window.js';
import { EdgelogError } from '../../src/cli/errors.js';
import { tempDir } from '../helpers/cli.js';

function write(dir: string, content: unknown): string {
  const file = join(dir, 'audit.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

test('a full config: paths resolved against the config folder, defaults filled in', () => {
  const dir = tempDir();
  const file = write(dir, {
    db: 'data/edge.duckdb',
    folders: [
      { path: 'logs/exchange', globs: ['**/*.log'], tz: 'America/New_York' },
      { path: '/var/isa', recover: true, format: 'evtx' },
    ],
    firewallMap: 'fw.map',
    thresholds: { failOn: 'medium', skewSeconds: 120 },
    window: { since: '7d' },
    out: 'reports',
    retainDays: 90,
  });
  assert.deepEqual(loadAuditConfig(file), {
    file,
    db: join(dir, 'data/edge.duckdb'),
    folders: [
      { path: join(dir, 'logs/exchange'), globs: ['**/*.log'], tz: 'America/New_York', format: null, recover: false },
      { path: '/var/isa', globs: ['**/*'], tz: null, format: 'evtx', recover: true },
    ],
    firewallMap: join(dir, 'fw.map'),
    failOn: 'medium',
    skewSeconds: 120,
    since: '7d',
    until: null,
    out: join(dir, 'reports'),
    retainDays: 90,
  });
});

test('mistakes are reported with the file and the key path', () => {
  const dir = tempDir();
  const cases: [unknown, string][] = [
    ['{"folders": [', 'not valid JSON'],
    [[], '(top level): expected an object'],
    [{ folder: [] }, 'folder: unknown key (allowed: db, folders, firewallMap, thresholds, window, out, retainDays)'],
    [{ folders: {} }, 'folders: expected an array of folder objects'],
    [{ folders: [{ globs: ['*'] }] }, 'folders[0].path: required'],
    [{ folders: [{ path: 'a' }, { path: 'b', tz: 'Mars/Olympus' }] }, 'folders[1].tz: --tz Mars/Olympus: not an IANA time zone name'],
    [{ folders: [{ path: 'a', globs: ['*.log', 7] }] }, 'folders[0].globs[1]: expected a non-empty string'],
    [{ folders: [{ path: 'a', recover: 'yes' }] }, 'folders[0].recover: expected true or false, got "yes"'],
    [{ folders: [{ path: 'a', depth: 2 }] }, 'folders[0].depth: unknown key'],
    [{ thresholds: { failOn: 'severe' } }, 'thresholds.failOn: expected one of low, medium, high, got "severe"'],
    [{ thresholds: { skewSeconds: -5 } }, 'thresholds.skewSeconds: expected an integer >= 0, got -5'],
    [{ window: { since: 'last week' } }, 'window.since: "last week" is neither a duration'],
    [{ retainDays: 0 }, 'retainDays: expected an integer >= 1, got 0'],
    [{ out: '' }, 'out: expected a non-empty string'],
  ];
  for (const [content, expected] of cases) {
    const file = write(dir, content);
    assert.throws(
      () => loadAuditConfig(file),
      (error: unknown) => error instanceof EdgelogError && error.message.startsWith(file) && error.message.includes(expected),
      `${JSON.stringify(content)} should fail with "${expected}"`,
    );
  }
  assert.throws(() => loadAuditConfig(join(dir, 'missing.json')), /cannot read config .*missing\.json/);
});

test('window bounds: durations count back from the run time, ISO times are absolute', () => {
  const now = 1_800_000_000_000_000_000n;
  assert.equal(parseWindowBound('7d', now), now - 7n * 86_400n * 1_000_000_000n);
  assert.equal(parseWindowBound('12h', now), now - 12n * 3_600n * 1_000_000_000n);
  assert.equal(parseWindowBound('30m', now), now - 1_800n * 1_000_000_000n);
  assert.equal(parseWindowBound('2w', now), now - 14n * 86_400n * 1_000_000_000n);
  assert.equal(parseWindowBound('2026-11-01', now), 1_793_491_200_000_000_000n);
  assert.equal(parseWindowBound('2026-11-01T05:00:00-05:00', now), 1_793_527_200_000_000_000n);
  assert.equal(parseWindowBound('7 days', now), null);
  assert.equal(parseWindowBound('-7d', now), null);
});
