// Header directives of Exchange logs (`#Software: ...`, `#Fields: a,b,c`) and column binding by name.
// Columns are always bound by name, case-insensitively, and re-bound at every new `#Fields` line,
// because field sets differ between versions and can change inside one file.

/** `#Name: value` → { name, value }; null for a `#` line without a colon. */
export function parseDirective(text: string): { name: string; value: string } | null {
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  return { name: text.slice(1, colon).trim(), value: text.slice(colon + 1).trim() };
}

/** Our column keys → the header names (any of the aliases) that carry them. */
export type ColumnAliases<K extends string> = Readonly<Record<K, readonly string[]>>;

/** Our column keys → index in the record's fields, or -1 when the header lacks the column. */
export type ColumnIndex<K extends string> = Record<K, number>;

export function normaliseFieldName(name: string): string {
  return name.trim().toLowerCase();
}

export function bindColumns<K extends string>(names: readonly string[], aliases: ColumnAliases<K>): ColumnIndex<K> {
  const position = new Map<string, number>();
  names.forEach((name, i) => {
    const key = normaliseFieldName(name);
    if (!position.has(key)) position.set(key, i);
  });
  const index = {} as ColumnIndex<K>;
  for (const key of Object.keys(aliases) as K[]) {
    index[key] = -1;
    for (const alias of aliases[key]) {
      const at = position.get(normaliseFieldName(alias));
      if (at !== undefined) {
        index[key] = at;
        break;
      }
    }
  }
  return index;
}

/** The field at `index`, null when absent or empty (CSV logs: empty is "no value"). */
export function fieldText(fields: readonly string[], index: number): string | null {
  if (index < 0 || index >= fields.length) return null;
  const value = fields[index];
  return value.length === 0 ? null : value;
}

/** The field at `index`, null when absent, empty or `-` (TAB and W3C-style logs' "no value"). */
export function fieldValue(fields: readonly string[], index: number): string | null {
  const value = fieldText(fields, index);
  return value === '-' ? null : value;
}

/** The field as an integer, null when absent or not an integer. */
export function fieldInteger(fields: readonly string[], index: number): number | null {
  const value = fieldText(fields, index);
  if (value === null) return null;
  const n = Number(value);
  return Number.isInteger(n) ? n : null; // `-` and other text give NaN
}
