// Canned reports: `.sql` files whose leading comment block declares them:
//   -- name: ingest-health
//   -- title: Ingest health per file
//   -- description: One line for `edgelog reports`.
//   -- param: since TIMESTAMP optional Only rows at or after this time
// Parameters are bound as `$name` (never spliced into the SQL); `--since/--until` fill the
// parameters named `since`/`until`. TIMESTAMP values are ISO times or durations back from now (7d).
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBTimestampValue,
  INTEGER,
  TIMESTAMP,
  VARCHAR,
  type DuckDBType,
  type DuckDBValue,
} from '../store/duckdb.js';
import { nanosFromDate, parseWindowBound } from '../util/time-window.js';

export const PARAM_TYPES = { VARCHAR, INTEGER, BIGINT, DOUBLE, BOOLEAN, TIMESTAMP } as const;
export type ParamType = keyof typeof PARAM_TYPES;

export interface ReportParam {
  name: string;
  type: ParamType;
  optional: boolean;
  description: string;
}

export interface Report {
  name: string;
  title: string;
  description: string;
  params: ReportParam[];
  sql: string;
  file: string;
}

export class ReportError extends Error {
  override name = 'ReportError';
}

const BUILTIN_DIR = fileURLToPath(new URL('.', import.meta.url));

export function parseReport(text: string, file: string): Report {
  const header: Record<string, string> = {};
  const params: ReportParam[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    if (!line.startsWith('--')) break;
    const m = /^--\s*([a-z]+):\s*(.*)$/i.exec(line);
    if (!m) continue;
    const key = m[1].toLowerCase();
    if (key === 'param') params.push(parseParam(m[2], file, i + 1));
    else header[key] = m[2].trim();
  }
  for (const key of ['name', 'title', 'description']) {
    if (!header[key]) throw new ReportError(`${file}: header has no "-- ${key}:" line`);
  }
  if (!/^[a-z0-9][a-z0-9-]*$/.test(header.name)) throw new ReportError(`${file}: report name "${header.name}" must be lower-case words joined by -`);
  return { name: header.name, title: header.title, description: header.description, params, sql: text, file };
}

function parseParam(spec: string, file: string, line: number): ReportParam {
  const m = /^([a-z_][a-z0-9_]*)\s+([A-Z]+)(\s+optional)?\s*(.*)$/i.exec(spec.trim());
  if (!m || !(m[2].toUpperCase() in PARAM_TYPES)) {
    throw new ReportError(`${file}:${line}: bad param declaration "${spec}" (expected: NAME TYPE [optional] description; TYPE one of ${Object.keys(PARAM_TYPES).join(', ')})`);
  }
  return { name: m[1], type: m[2].toUpperCase() as ParamType, optional: Boolean(m[3]), description: m[4] };
}

function reportsIn(dir: string): Report[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => parseReport(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
}

/** The built-in reports plus those in `extraDir` (`--reports-dir`); a user's report may not shadow a built-in one. */
export function listReports(extraDir?: string): Report[] {
  const builtin = reportsIn(BUILTIN_DIR);
  if (!extraDir) return builtin;
  let extra: Report[];
  try {
    extra = reportsIn(extraDir);
  } catch (error) {
    if (error instanceof ReportError) throw error;
    throw new ReportError(`--reports-dir ${extraDir}: ${(error as Error).message}`);
  }
  for (const r of extra) {
    const clash = builtin.find((b) => b.name === r.name);
    if (clash) throw new ReportError(`${r.file}: report name "${r.name}" is already used by the built-in ${basename(clash.file)}`);
  }
  return [...builtin, ...extra];
}

export function findReport(name: string, extraDir?: string): Report {
  const all = listReports(extraDir);
  const report = all.find((r) => r.name === name);
  if (!report) throw new ReportError(`no report named "${name}" (see \`edgelog reports\`)`);
  return report;
}

export interface BoundParams {
  values: Record<string, DuckDBValue>;
  types: Record<string, DuckDBType>;
}

/** Checks and converts `--param` values (and since/until) against the report's declarations. */
export function bindParams(report: Report, given: Record<string, string>): BoundParams {
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  for (const key of Object.keys(given)) {
    if (!report.params.some((p) => p.name === key)) {
      const known = report.params.map((p) => p.name).join(', ') || 'none';
      throw new ReportError(`report ${report.name} has no parameter "${key}" (parameters: ${known})`);
    }
  }
  for (const p of report.params) {
    const raw = given[p.name];
    if (raw === undefined && !p.optional) throw new ReportError(`report ${report.name} needs --param ${p.name}=${p.type} (${p.description})`);
    values[p.name] = raw === undefined ? null : convert(report, p, raw);
    types[p.name] = PARAM_TYPES[p.type];
  }
  return { values, types };
}

function convert(report: Report, p: ReportParam, raw: string): DuckDBValue {
  const bad = () => new ReportError(`report ${report.name}: parameter ${p.name}="${raw}" is not a valid ${p.type}`);
  switch (p.type) {
    case 'VARCHAR':
      return raw;
    case 'INTEGER':
    case 'BIGINT': {
      if (!/^-?\d+$/.test(raw.trim())) throw bad();
      return p.type === 'BIGINT' ? BigInt(raw.trim()) : Number(raw);
    }
    case 'DOUBLE': {
      const n = Number(raw);
      if (raw.trim() === '' || Number.isNaN(n)) throw bad();
      return n;
    }
    case 'BOOLEAN':
      if (!/^(true|false|1|0)$/i.test(raw.trim())) throw bad();
      return /^(true|1)$/i.test(raw.trim());
    case 'TIMESTAMP': {
      const ns = parseWindowBound(raw, nanosFromDate(new Date()));
      if (ns === null) throw bad();
      return new DuckDBTimestampValue(ns / 1000n);
    }
  }
}
