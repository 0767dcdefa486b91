// Time zones for formats that log local time (`--tz`): an IANA name (DST through Intl) or a fixed
// offset such as `-05:00`. Conversions are cached per local hour because readers call them per line.

export interface LocalTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Fraction of the second in nanoseconds (0 when the log has whole seconds). */
  nanos?: number;
}

export interface Zone {
  /** As the user wrote it, normalised: `UTC`, `+05:30`, `America/New_York`. */
  readonly name: string;
  /** UTC instant, in nanoseconds since the epoch, of a wall-clock time in this zone. */
  localToUtc(t: LocalTime): bigint;
  /** Offset (local minus UTC) in minutes at a UTC instant given in milliseconds. */
  offsetMinutesAt(utcMs: number): number;
}

const OFFSET = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;

export class ZoneError extends Error {}

/** Parses `--tz`. Throws ZoneError with a message naming the value. */
export function parseZone(spec: string): Zone {
  const text = spec.trim();
  if (/^(utc|gmt|z)$/i.test(text)) return fixedZone('UTC', 0);
  const m = OFFSET.exec(text);
  if (m) {
    const hours = Number(m[2]);
    const minutes = Number(m[3] ?? '0');
    if (hours > 14 || minutes > 59) throw new ZoneError(`--tz ${spec}: offset out of range`);
    const sign = m[1] === '-' ? -1 : 1;
    const name = `${m[1]}${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
    return fixedZone(name, sign * (hours * 60 + minutes));
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: text });
  } catch {
    throw new ZoneError(`--tz ${spec}: not an IANA time zone name (e.g. America/New_York) or offset (e.g. -05:00)`);
  }
  return ianaZone(text);
}

export const UTC: Zone = fixedZone('UTC', 0);

function wallClockMs(t: LocalTime): number {
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
}

function toNanos(ms: number, t: LocalTime): bigint {
  return BigInt(ms) * 1_000_000n + BigInt(t.nanos ?? 0);
}

function fixedZone(name: string, offsetMinutes: number): Zone {
  return {
    name,
    localToUtc: (t) => toNanos(wallClockMs(t) - offsetMinutes * 60_000, t),
    offsetMinutesAt: () => offsetMinutes,
  };
}

function ianaZone(name: string): Zone {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: name,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const offsetCache = new Map<number, number>();
  const offsetMinutesAt = (utcMs: number): number => {
    // Offsets change on whole quarter-hours at most, so cache per UTC quarter-hour.
    const bucket = Math.floor(utcMs / 900_000);
    let cached = offsetCache.get(bucket);
    if (cached === undefined) {
      const parts: Record<string, number> = {};
      for (const p of format.formatToParts(new Date(bucket * 900_000))) {
        if (p.type !== 'literal') parts[p.type] = Number(p.value);
      }
      const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
      cached = Math.round((asUtc - bucket * 900_000) / 60_000);
      if (offsetCache.size > 100_000) offsetCache.clear();
      offsetCache.set(bucket, cached);
    }
    return cached;
  };
  return {
    name,
    offsetMinutesAt,
    localToUtc(t) {
      const wall = wallClockMs(t);
      // Two passes settle DST edges: an ambiguous fall-back hour resolves to the first (daylight)
      // instance; a time inside the spring-forward gap is shifted forward by the gap, as Windows does.
      const first = wall - offsetMinutesAt(wall) * 60_000;
      const second = wall - offsetMinutesAt(first) * 60_000;
      return toNanos(offsetMinutesAt(second) === offsetMinutesAt(first) ? second : first, t);
    },
  };
}

/** Formats nanoseconds since the epoch as ISO 8601 UTC with `digits` fractional digits (0-9). */
export function isoFromNanos(ns: bigint, digits = 7): string {
  const ms = Number(ns / 1_000_000n) - (ns < 0n && ns % 1_000_000n !== 0n ? 1 : 0);
  const base = new Date(ms).toISOString().slice(0, 19);
  if (digits === 0) return `${base}Z`;
  const frac = ((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  return `${base}.${frac.toString().padStart(9, '0').slice(0, digits)}Z`;
}

/** Parses an ISO-like UTC timestamp (`2006-10-09 05:00:15`, `...T...Z`, fractions) to ns; null if invalid. */
export function nanosFromIso(text: string): bigint | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
  if (Number.isNaN(ms)) return null;
  let offsetMin = 0;
  if (m[8] && m[8].toUpperCase() !== 'Z') {
    const o = m[8].replace(':', '');
    offsetMin = (o[0] === '-' ? -1 : 1) * (Number(o.slice(1, 3)) * 60 + Number(o.slice(3, 5)));
  }
  const frac = BigInt((m[7] ?? '').padEnd(9, '0') || '0');
  return BigInt(ms - offsetMin * 60_000) * 1_000_000n + frac;
}
