// Local wall-clock times (formats that log the server's local time without an offset) → UTC, using
// `--tz` when given. Without it the times are read as UTC, and the file's time rule and one warning
// say so, because a wrong zone silently shifts every join with other logs.
import type { ReadContext } from '../types.js';
import type { LocalTime } from '../../util/timezone.js';

export interface LocalClock {
  /** UTC nanoseconds of a local wall-clock time. */
  toUtc(t: LocalTime): bigint;
}

/** Records the file's time rule and returns the converter; `what` names the format's time field. */
export function localClock(ctx: ReadContext, what: string): LocalClock {
  const zone = ctx.tz;
  if (zone !== null) {
    ctx.timeRule(`${what}: local time, zone ${zone.name} (--tz)`);
    return { toUtc: (t) => zone.localToUtc(t) };
  }
  ctx.timeRule(`${what}: local time, no --tz given: read as UTC`);
  ctx.issue({ severity: 'warning', message: `${what} is local time and no --tz was given: times were read as UTC` });
  return { toUtc: wallClockAsUtc };
}

/** A wall-clock time read as UTC. */
export function wallClockAsUtc(t: LocalTime): bigint {
  return BigInt(Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second)) * 1_000_000n + BigInt(t.nanos ?? 0);
}

/**
 * `M/D/YYYY` or `M/D/YY` (two-digit years: 70–99 → 19xx, else 20xx) plus `H:MM:SS`, as written by
 * IIS-format and ISA-format logs; `order` says whether the month or the day comes first.
 */
export function parseSlashDateTime(date: string, time: string, order: 'MDY' | 'DMY'): LocalTime | null {
  const d = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(date.trim());
  const t = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(time.trim());
  if (!d || !t) return null;
  const first = Number(d[1]);
  const second = Number(d[2]);
  let year = Number(d[3]);
  if (d[3].length === 2) year += year >= 70 ? 1900 : 2000;
  const month = order === 'MDY' ? first : second;
  const day = order === 'MDY' ? second : first;
  const hour = Number(t[1]);
  const minute = Number(t[2]);
  const sec = Number(t[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59) return null;
  return { year, month, day, hour, minute, second: sec };
}
