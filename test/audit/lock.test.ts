// The audit lock: held by a live process it refuses at once with a message naming the owner; left
// by a dead process (or a pid now used by another process) it is taken over; released only by
// its owner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireAuditLock, lockPathFor } from '../../src/audit/lock.js';
import { EdgelogError } from '../../src/cli/errors.js';
import { tempDir } from '../helpers/cli.js';

function deadPid(): number {
  // A process that has exited and been reaped: its pid is free.
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

test('a live holder refuses a second audit with its pid; release removes the file', () => {
  const db = join(tempDir(), 'x.duckdb');
  const first = acquireAuditLock(db, new Date('2026-11-29T02:00:00Z'));
  const owner = JSON.parse(readFileSync(lockPathFor(db), 'utf8'));
  assert.equal(owner.pid, process.pid);
  assert.equal(owner.host, hostname());
  assert.equal(owner.started, '2026-11-29T02:00:00.000Z');
  assert.throws(
    () => acquireAuditLock(db),
    (e: unknown) =>
      e instanceof EdgelogError &&
      e.exitCode === 2 &&
      e.message === `another audit is running on this database (pid ${process.pid} on ${hostname()}, started 2026-11-29T02:00:00.000Z); lock file ${db}.audit.lock`,
  );
  first.release();
  assert.equal(existsSync(lockPathFor(db)), false);
  const again = acquireAuditLock(db);
  assert.equal(again.tookOverFrom, null);
  again.release();
});

test('a lock left by a killed process is taken over', () => {
  const db = join(tempDir(), 'x.duckdb');
  const pid = deadPid();
  writeFileSync(lockPathFor(db), JSON.stringify({ pid, host: hostname(), processStart: null, started: '2026-11-28T02:00:00.000Z' }));
  const lock = acquireAuditLock(db);
  assert.equal(lock.tookOverFrom?.pid, pid);
  assert.equal(JSON.parse(readFileSync(lockPathFor(db), 'utf8')).pid, process.pid);
  lock.release();
});

test('a lock whose pid now belongs to a different process (start time differs) is stale', () => {
  const db = join(tempDir(), 'x.duckdb');
  writeFileSync(lockPathFor(db), JSON.stringify({ pid: process.pid, host: hostname(), processStart: '1', started: 'earlier' }));
  const lock = acquireAuditLock(db);
  assert.equal(lock.tookOverFrom?.processStart, '1');
  lock.release();
});

test('a half-written lock file (its writer died) is taken over; garbage is not trusted', () => {
  const db = join(tempDir(), 'x.duckdb');
  writeFileSync(lockPathFor(db), '{"pid": 12');
  const lock = acquireAuditLock(db);
  assert.equal(lock.tookOverFrom, null);
  lock.release();
});

test('another process holding the lock makes acquisition fail at once', async () => {
  const db = join(tempDir(), 'x.duckdb');
  const holder = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import('${new URL('../../src/audit/lock.ts', import.meta.url).href}').then((m) => { m.acquireAuditLock(${JSON.stringify(db)}); console.log('held'); setInterval(() => {}, 1000); })`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
  try {
    assert.throws(() => acquireAuditLock(db), new RegExp(`another audit is running on this database \\(pid ${holder.pid} on `));
  } finally {
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
  }
  const lock = acquireAuditLock(db);
  assert.equal(lock.tookOverFrom?.pid, holder.pid);
  lock.release();
});
