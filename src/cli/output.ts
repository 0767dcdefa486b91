// Row output for every command that prints rows: table (cli-table3), csv, json, jsonl, md.
// Values arrive JSON-safe (DuckDB's getRowObjectsJson: big integers and timestamps as strings).
import Table from 'cli-table3';
import { EdgelogError } from './errors.js';

export const OUTPUT_FORMATS = ['table', 'csv', 'json', 'jsonl', 'md'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export type Cell = string | number | boolean | null | readonly unknown[] | { readonly [key: string]: unknown };
export type Row = Readonly<Record<string, Cell>>;

/** `--format` value checked, or the default: a table on a terminal, CSV when piped. */
export function resolveFormat(value: string | undefined, stream: NodeJS.WriteStream = process.stdout): OutputFormat {
  if (value === undefined) return stream.isTTY ? 'table' : 'csv';
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  throw new EdgelogError(`--format ${value}: expected one of ${OUTPUT_FORMATS.join(', ')}`);
}

export function formatRows(columns: readonly string[], rows: readonly Row[], format: OutputFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(rows, null, 2)}\n`;
    case 'jsonl':
      return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
    case 'csv':
      return [columns, ...rows.map((r) => columns.map((c) => r[c]))].map((cells) => `${cells.map(csvCell).join(',')}\r\n`).join('');
    case 'md':
      return markdown(columns, rows);
    case 'table':
      return table(columns, rows);
  }
}

export function printRows(columns: readonly string[], rows: readonly Row[], format: OutputFormat): void {
  process.stdout.write(formatRows(columns, rows, format));
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Cells a spreadsheet would run as a formula get a leading apostrophe (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

export function csvCell(value: unknown): string {
  let s = text(value);
  if (FORMULA_START.test(s) && !PLAIN_NUMBER.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function markdown(columns: readonly string[], rows: readonly Row[]): string {
  const cell = (v: unknown) => text(v).replaceAll('\\', '\\\\').replaceAll('|', '\\|').replace(/\r?\n/g, '<br>');
  const lines = [
    `| ${columns.map(cell).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${columns.map((c) => cell(r[c])).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

function table(columns: readonly string[], rows: readonly Row[]): string {
  const color = !process.env.NO_COLOR && process.stdout.isTTY;
  const t = new Table({ head: [...columns], style: color ? { compact: true } : { head: [], border: [], compact: true } });
  for (const r of rows) t.push(columns.map((c) => text(r[c])));
  return `${t.toString()}\n${rows.length} row${rows.length === 1 ? '' : 's'}\n`;
}
