// Knowledge values (rules.json) written into derived-table SQL as literals: the derived tables and
// macros are stored in the database, where statement parameters cannot reach them.

export function literal(value: string | number): string {
  return typeof value === 'number' ? String(value) : `'${value.replaceAll("'", "''")}'`;
}

/** `(a, b, c)` for `x IN (...)`. */
export function literalList(values: readonly string[]): string {
  return `(${values.map(literal).join(', ')})`;
}

/** Restricts the base rows a derived SELECT reads: `scope(alias)` is a condition on that table alias. */
export type Scope = (alias: string) => string;

export const EVERYTHING: Scope = () => 'true';

export const ofFile = (fileId: number): Scope => (alias) => `${alias}.file_id = ${Math.trunc(fileId)}`;
