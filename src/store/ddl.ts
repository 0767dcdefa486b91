// DDL derived from the table declarations in records.ts, so schema and record types cannot drift.
import type { ChildTableDef, ColumnType, Columns, TableDef } from './records.js';

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** JSON values are kept as JSON text in VARCHAR (what the loader's chunks carry). */
function sqlType(type: ColumnType): string {
  return type === 'JSON' ? 'VARCHAR' : type;
}

function columnList(columns: Columns): string[] {
  return Object.entries(columns).map(([name, type]) => `${quoteIdent(name)} ${sqlType(type)}`);
}

export function createTableSql(table: TableDef): string[] {
  const parent = `CREATE TABLE ${quoteIdent(table.name)} (file_id BIGINT NOT NULL, seq BIGINT NOT NULL, ${columnList(table.columns).join(', ')})`;
  return [parent, ...(table.children ?? []).map(createChildSql)];
}

function createChildSql(child: ChildTableDef): string {
  return `CREATE TABLE ${quoteIdent(child.table)} (file_id BIGINT NOT NULL, seq BIGINT NOT NULL, ordinal INTEGER NOT NULL, ${columnList(child.columns).join(', ')})`;
}
