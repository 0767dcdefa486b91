// Writing DIR/YYYY-MM-DD/ so that it is either the complete new report or untouched: the files go
// into a hidden temporary folder beside it, are flushed to disk, and the folder is renamed into
// place at the very end. A run that fails or is killed leaves only a hidden `.tmp-…` folder, which
// the next run removes.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const LEFTOVER = /^\.(?:tmp|old)-.+-(\d+)$/;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporary folders left by killed runs (their pid is gone). */
export function removeLeftovers(outRoot: string): void {
  if (!existsSync(outRoot)) return;
  for (const name of readdirSync(outRoot)) {
    const m = LEFTOVER.exec(name);
    if (m && !pidAlive(Number(m[1]))) rmSync(join(outRoot, name), { recursive: true, force: true });
  }
}

function writeDurably(path: string, text: string): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface StagedReport {
  /** Where the report will be once published. */
  readonly finalDir: string;
  /** Moves the staged folder into place, replacing an earlier report of the same day. */
  publish(): void;
  /** Removes the staged folder (run failed). */
  discard(): void;
}

/** Writes the files into a hidden folder next to `outRoot/dayName`; nothing is visible until publish(). */
export function stageReport(outRoot: string, dayName: string, files: Record<string, string>): StagedReport {
  mkdirSync(outRoot, { recursive: true });
  removeLeftovers(outRoot);
  const finalDir = join(outRoot, dayName);
  const staging = join(outRoot, `.tmp-${dayName}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  try {
    for (const [name, text] of Object.entries(files)) writeDurably(join(staging, name), text);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return {
    finalDir,
    publish() {
      const old = join(outRoot, `.old-${dayName}-${process.pid}`);
      const replacing = existsSync(finalDir);
      if (replacing) renameSync(finalDir, old);
      renameSync(staging, finalDir);
      if (replacing) rmSync(old, { recursive: true, force: true });
    },
    discard() {
      rmSync(staging, { recursive: true, force: true });
    },
  };
}
