// Time-window bounds for --since/--until. `7d` counts back from the moment the command runs (what
// an administrator means by "the last week" in a nightly job), not from the newest record; absolute
// ISO times are taken as UTC unless they carry an offset.
import { nanosFromIso } from './timezone.js';

const UNIT_NANOS: Record<string, bigint> = {
  m: 60n * 1_000_000_000n,
  h: 3_600n * 1_000_000_000n,
  d: 86_400n * 1_000_000_000n,
  w: 7n * 86_400n * 1_000_000_000n,
};

const RELATIVE = /^(\d+)\s*([mhdw])$/i;

/** A window bound as ns since the epoch, or null when the text is neither form. */
export function parseWindowBound(text: string, nowNs: bigint): bigint | null {
  const relative = RELATIVE.exec(text.trim());
  if (relative) return nowNs - BigInt(relative[1]) * UNIT_NANOS[relative[2].toLowerCase()];
  return nanosFromIso(text);
}

export function nanosFromDate(date: Date): bigint {
  return BigInt(date.getTime()) * 1_000_000n;
}

export function windowProblem(value: string): string {
  return `"${value}" is neither a duration back from now (30m, 12h, 7d, 2w) nor an ISO time (2026-11-01 or 2026-11-01T00:00:00Z)`;
}
