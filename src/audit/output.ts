// Writing DIR/YYYY-MM-DD/ so that it is either the complete new report or untouched: the files go
// into a hidden temporary folder beside it, are flushed to disk, and the folder is renamed into
// place at the very end. A run that fails or is killed leaves only a hidden `.tmp-…` folder, which
// the next run removes.
import { mkdirSync, readdirSync, renameSync, rmSync, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
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

async function writeDurably(path: string, text: string): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
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

/**
 * Writes the files into a hidden folder next to `outRoot/dayName`; nothing is visible until
 * publish(). The files are written and flushed side by side: one disk flush's wait instead of three.
 */
export async function stageReport(outRoot: string, dayName: string, files: Record<string, string>): Promise<StagedReport> {
  mkdirSync(outRoot, { recursive: true });
  removeLeftovers(outRoot);
  const finalDir = join(outRoot, dayName);
  const staging = join(outRoot, `.tmp-${dayName}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  // Settled, not all: the folder is removed on failure only once no write is still under way.
  const writes = await Promise.allSettled(Object.entries(files).map(([name, text]) => writeDurably(join(staging, name), text)));
  const failed = writes.find((w) => w.status === 'rejected');
  if (failed) {
    rmSync(staging, { recursive: true, force: true });
    throw failed.reason;
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
