// Crash testing: with EDGELOG_AUDIT_HOLD=<phase> the audit announces on stderr that it reached the
// phase and then freezes there (the thread blocks; timers and I/O stop too), so a test can kill -9
// it at a known point: `locked`, `ingesting:<n>` (inside the n-th file's open transaction),
// `ingested`, `diagnosed`, `staged`, `recorded`. Unset, this costs one comparison per call.
import { writeSync } from 'node:fs';

export const HOLD_ENV = 'EDGELOG_AUDIT_HOLD';

export function holdIfRequested(phase: string): void {
  if (process.env[HOLD_ENV] !== phase) return;
  writeSync(2, `edgelog audit: holding at ${phase} (pid ${process.pid})\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}
