// Date and Time fields of Exchange 2000/2003 tracking logs: GMT, e.g. `2006-3-14` and `9:12:44 GMT`.
// Zero-padding and the suffix are unconfirmed (log-formats.md §3.3), so numbers are read leniently:
// any run of digits is a number, anything else separates them, and trailing text is ignored.

const numbers: number[] = [0, 0, 0];

/** Reads up to three digit runs of `text` into `numbers`; returns how many were found. */
function readNumbers(text: string): number {
  let count = 0;
  let value = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c >= 0 && c <= 9) {
      value = value < 0 ? c : value * 10 + c;
    } else if (value >= 0) {
      numbers[count++] = value;
      value = -1;
      if (count === 3) return count;
    }
  }
  if (value >= 0 && count < 3) numbers[count++] = value;
  return count;
}

let cachedDate = '';
let cachedDayMs = 0;

/** Milliseconds of `date` (`yyyy-m-d`) at 00:00 UTC, or NaN. Cached: a log holds one or two dates. */
function dayMs(date: string): number {
  if (date === cachedDate) return cachedDayMs;
  let ms = NaN;
  if (readNumbers(date) === 3) {
    const [year, month, day] = numbers;
    if (year >= 1990 && year <= 2100 && month >= 1 && month <= 12 && day >= 1 && day <= 31) {
      ms = Date.UTC(year, month - 1, day);
      if (new Date(ms).getUTCDate() !== day) ms = NaN; // 2006-2-30
    }
  }
  cachedDate = date;
  cachedDayMs = ms;
  return ms;
}

/** UTC instant in ns of a Date + Time pair, or null when either does not parse. */
export function gmtNanos(date: string, time: string): bigint | null {
  const day = dayMs(date);
  if (Number.isNaN(day)) return null;
  const count = readNumbers(time);
  if (count < 2) return null;
  const hour = numbers[0];
  const minute = numbers[1];
  const second = count === 3 ? numbers[2] : 0;
  if (hour > 23 || minute > 59 || second > 60) return null;
  return BigInt(day + ((hour * 60 + minute) * 60 + second) * 1000) * 1_000_000n;
}
