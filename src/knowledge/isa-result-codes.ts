// Meanings of ISA / TMG result codes from the data table isa-result-codes.json.
import { readFileSync } from 'node:fs';

interface ResultCodeTable {
  codes: Record<string, string>;
  ranges: { from: number; to: number; meaning: string }[];
}

const table = JSON.parse(readFileSync(new URL('./isa-result-codes.json', import.meta.url), 'utf8')) as ResultCodeTable;

/** `0xC004000D` → `0xc004000d`, `0x00000000` → `0x0`, `20000` → `20000`; null when not a number. */
export function resultCodeKey(raw: string): string | null {
  const text = raw.trim().toLowerCase();
  if (/^0x[0-9a-f]{1,8}$/.test(text)) return `0x${Number.parseInt(text.slice(2), 16).toString(16)}`;
  if (/^\d{1,10}$/.test(text)) return String(Number(text));
  return null;
}

/** Meaning of a logged result code, or null when the table has none. */
export function isaResultMeaning(raw: string | null): string | null {
  if (raw === null) return null;
  const key = resultCodeKey(raw);
  if (key === null) return null;
  const exact = table.codes[key];
  if (exact !== undefined) return exact;
  if (key.startsWith('0x')) return null;
  const n = Number(key);
  return table.ranges.find((r) => n >= r.from && n <= r.to)?.meaning ?? null;
}
