// One audit at a time per database: a lock file next to it holding the owner's pid, host, process
// start and the time it started. A lock whose process is gone (killed, machine rebooted) is taken
// over; Linux's per-process start time in /proc also catches a pid reused by an unrelated process.
import { hostname } from 'node:os';
import { linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { EdgelogError } from '../cli/errors.js';

export interface LockOwner {
  pid: number;
  host: string;
  /** Kernel start time of the process (clock ticks since boot), null off Linux. */
  processStart: string | null;
  started: string;
}

export interface AuditLock {
  readonly path: string;
  /** The stale owner whose lock was taken over, for the run's notes. */
  readonly tookOverFrom: LockOwner | null;
  release(): void;
}

export function lockPathFor(dbPath: string): string {
  return `${dbPath}.audit.lock`;
}

function processStart(pid: number): string | null {
  try {
    // Field 22 of /proc/PID/stat; the command name (field 2) may contain spaces, so count after ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // cannot check another machine: assume it runs
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const start = processStart(owner.pid);
  return owner.processStart === null || start === null || start === owner.processStart;
}

function readOwner(path: string): LockOwner | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null;
    return {
      pid: parsed.pid,
      host: parsed.host,
      processStart: typeof parsed.processStart === 'string' ? parsed.processStart : null,
      started: String(parsed.started ?? '?'),
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    return null; // unreadable or half-written: its writer died between create and write
  }
}

function heldMessage(path: string, owner: LockOwner): string {
  return `another audit is running on this database (pid ${owner.pid} on ${owner.host}, started ${owner.started}); lock file ${path}`;
}

function tryCreate(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new EdgelogError(`cannot create lock file ${path}: ${(error as Error).message}`);
  }
  try {
    writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Takes the lock or throws EdgelogError (exit 2) at once when a live audit holds it. */
export function acquireAuditLock(dbPath: string, now: Date = new Date()): AuditLock {
  const path = lockPathFor(dbPath);
  const me: LockOwner = { pid: process.pid, host: hostname(), processStart: processStart(process.pid), started: now.toISOString() };
  let tookOverFrom: LockOwner | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path, me)) return { path, tookOverFrom, release: () => releaseLock(path, me) };
    let owner: LockOwner | null;
    try {
      owner = readOwner(path);
    } catch {
      continue; // released between our create and read: try again
    }
    if (owner !== null && isAlive(owner)) throw new EdgelogError(heldMessage(path, owner));
    // Move the stale lock aside under a unique name, then check that what we moved is still the
    // stale one: if another audit took it over in between, put its live lock back.
    const aside = `${path}.stale-${process.pid}-${attempt}`;
    try {
      renameSync(path, aside);
    } catch {
      continue;
    }
    const moved = safeReadOwner(aside);
    if (moved !== null && isAlive(moved)) {
      try {
        linkSync(aside, path);
      } catch {
        // someone else created a lock meanwhile; theirs stands
      }
      unlinkSync(aside);
      throw new EdgelogError(heldMessage(path, moved));
    }
    unlinkSync(aside);
    tookOverFrom = owner;
  }
  throw new EdgelogError(`cannot take the audit lock ${path}: it keeps changing hands`);
}

function safeReadOwner(path: string): LockOwner | null {
  try {
    return readOwner(path);
  } catch {
    return null;
  }
}

function releaseLock(path: string, me: LockOwner): void {
  const owner = safeReadOwner(path);
  if (owner !== null && owner.pid === me.pid && owner.host === me.host && owner.started === me.started) {
    unlinkSync(path);
  }
}
