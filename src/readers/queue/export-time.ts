// Times in queue exports. ESM and PowerShell write local time in the server's culture format
// (`3/14/2006 9:12 AM`, `2019/11/4 13:31:03`, `14.03.2006 09:12:44`); WMI writes DMTF strings
// (`20060314091244.000000-300`) that carry their own offset in minutes.
import type { LocalTime } from '../../util/timezone.js';

const digitRuns = /\d+/g;

/**
 * Reads a culture-formatted local date and time. Day/month order: a four-digit first number means
 * year/month/day; a `.` after the first number (German and similar cultures) or a first number over
 * 12 means day/month/year; otherwise month/day/year (en-US, the Windows default). Null if not a time.
 */
export function parseCultureTime(text: string): LocalTime | null {
  const runs = text.match(digitRuns);
  if (runs === null || runs.length < 3) return null;
  const [a, b, c] = runs;
  let year: number;
  let month: number;
  let day: number;
  if (a.length === 4) {
    [year, month, day] = [Number(a), Number(b), Number(c)];
  } else {
    const afterFirst = text.charAt(text.indexOf(a) + a.length);
    const dayFirst = afterFirst === '.' || Number(a) > 12;
    [day, month] = dayFirst ? [Number(a), Number(b)] : [Number(b), Number(a)];
    year = Number(c) + (c.length === 2 ? 2000 : 0);
  }
  let hour = runs.length > 3 ? Number(runs[3]) : 0;
  const minute = runs.length > 4 ? Number(runs[4]) : 0;
  const second = runs.length > 5 ? Number(runs[5]) : 0;
  const meridiem = /\b([AP])\.?M\.?\s*$/i.exec(text);
  if (meridiem) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem[1].toUpperCase() === 'P' ? 12 : 0);
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return null;
  return { year, month, day, hour, minute, second };
}

const DMTF = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\.(\d{6})([+-])(\d{3})$/;

/** UTC ns of a WMI DMTF datetime; null when empty or not DMTF (WMI writes `*` for unknown parts). */
export function parseDmtfTime(text: string): bigint | null {
  const m = DMTF.exec(text.trim());
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (Number.isNaN(ms)) return null;
  const offsetMinutes = (m[8] === '-' ? -1 : 1) * Number(m[9]);
  return BigInt(ms - offsetMinutes * 60_000) * 1_000_000n + BigInt(m[7]) * 1000n;
}
