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

/** The rows of the given files (a literal list, so DuckDB skips other files' row groups by their zone maps). */
export const ofFiles = (fileIds: readonly number[]): Scope => {
  const list = fileIds.map((id) => String(Math.trunc(id))).join(', ');
  return (alias) => (fileIds.length === 1 ? `${alias}.file_id = ${list}` : `${alias}.file_id IN (${list})`);
};
