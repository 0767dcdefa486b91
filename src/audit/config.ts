// The audit configuration file (JSON). Every key is checked here, so a typo in a file that runs
// unattended for months fails the first night with "file: key path: problem" instead of being
// ignored. Relative paths are resolved against the config file's folder, not the working directory
// (cron and Task Scheduler start in a home or system folder).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CONFIDENCES, type Confidence } from '../analysis/findings.js';
import { EdgelogError } from '../cli/errors.js';
import { parseZone, ZoneError } from '../util/timezone.js';
import { parseWindowBound, windowProblem } from '../util/time-window.js';

export interface FolderConfig {
  /** Absolute folder (or single file) path. */
  path: string;
  /** Glob patterns relative to `path`; default every file below it. */
  globs: string[];
  /** `--tz` for the local-time logs in this folder, null when they log UTC. */
  tz: string | null;
  /** Force a reader instead of sniffing (`--format`), null to sniff. */
  format: string | null;
  /** Carve EVTX records from slack space (`--recover`). */
  recover: boolean;
}

export interface AuditConfig {
  /** The config file, absolute; null when everything came from the command line. */
  file: string | null;
  db: string | null;
  folders: FolderConfig[];
  firewallMap: string | null;
  failOn: Confidence;
  skewSeconds: number | null;
  since: string | null;
  until: string | null;
  out: string | null;
  retainDays: number | null;
}

export const DEFAULT_FAIL_ON: Confidence = 'low';
export const DEFAULT_GLOBS = ['**/*'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

class ConfigReader {
  constructor(
    private readonly file: string,
    private readonly baseDir: string,
  ) {}

  fail(path: string, problem: string): never {
    throw new EdgelogError(`${this.file}: ${path}: ${problem}`);
  }

  object(value: Json | undefined, path: string, allowed: readonly string[]): Record<string, Json> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(path, 'expected an object');
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.fail(joinPath(path, key), `unknown key (allowed: ${allowed.join(', ')})`);
    }
    return value;
  }

  string(value: Json | undefined, path: string): string | null {
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string' || value.trim() === '') this.fail(path, 'expected a non-empty string');
    return value;
  }

  pathValue(value: Json | undefined, path: string): string | null {
    const text = this.string(value, path);
    return text === null ? null : resolve(this.baseDir, text);
  }

  integer(value: Json | undefined, path: string, min: number): number | null {
    if (value === undefined || value === null) return null;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      this.fail(path, `expected an integer >= ${min}, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  boolean(value: Json | undefined, path: string): boolean {
    if (value === undefined || value === null) return false;
    if (typeof value !== 'boolean') this.fail(path, `expected true or false, got ${JSON.stringify(value)}`);
    return value;
  }

  stringList(value: Json | undefined, path: string): string[] | null {
    if (value === undefined || value === null) return null;
    if (!Array.isArray(value) || value.length === 0) this.fail(path, 'expected a non-empty array of strings');
    return value.map((item, i) => this.string(item, `${path}[${i}]`) ?? this.fail(`${path}[${i}]`, 'expected a string'));
  }
}

function joinPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

const TOP_KEYS = ['db', 'folders', 'firewallMap', 'thresholds', 'window', 'out', 'retainDays'] as const;
const FOLDER_KEYS = ['path', 'globs', 'tz', 'format', 'recover'] as const;
const THRESHOLD_KEYS = ['failOn', 'skewSeconds'] as const;
const WINDOW_KEYS = ['since', 'until'] as const;

export function loadAuditConfig(file: string): AuditConfig {
  const absolute = resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new EdgelogError(`cannot read config ${absolute}: ${(error as Error).message}`);
  }
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch (error) {
    throw new EdgelogError(`${absolute}: not valid JSON: ${(error as Error).message}`);
  }
  return parseAuditConfig(parsed, absolute);
}

export function parseAuditConfig(parsed: Json, file: string): AuditConfig {
  const r = new ConfigReader(file, dirname(file));
  const top = r.object(parsed, '(top level)', TOP_KEYS);
  const thresholds = top.thresholds === undefined ? {} : r.object(top.thresholds, 'thresholds', THRESHOLD_KEYS);
  const window = top.window === undefined ? {} : r.object(top.window, 'window', WINDOW_KEYS);
  const failOn = r.string(thresholds.failOn, 'thresholds.failOn');
  if (failOn !== null && !(CONFIDENCES as readonly string[]).includes(failOn)) {
    r.fail('thresholds.failOn', `expected one of ${CONFIDENCES.join(', ')}, got "${failOn}"`);
  }
  const since = r.string(window.since, 'window.since');
  const until = r.string(window.until, 'window.until');
  for (const [key, value] of [['window.since', since], ['window.until', until]] as const) {
    if (value !== null && parseWindowBound(value, 0n) === null) r.fail(key, windowProblem(value));
  }
  if (top.folders !== undefined && !Array.isArray(top.folders)) r.fail('folders', 'expected an array of folder objects');
  const folders = ((top.folders ?? []) as Json[]).map((item, i) => parseFolder(r, item, `folders[${i}]`));
  return {
    file,
    db: r.pathValue(top.db, 'db'),
    folders,
    firewallMap: r.pathValue(top.firewallMap, 'firewallMap'),
    failOn: (failOn as Confidence | null) ?? DEFAULT_FAIL_ON,
    skewSeconds: r.integer(thresholds.skewSeconds, 'thresholds.skewSeconds', 0),
    since,
    until,
    out: r.pathValue(top.out, 'out'),
    retainDays: r.integer(top.retainDays, 'retainDays', 1),
  };
}

function parseFolder(r: ConfigReader, value: Json, path: string): FolderConfig {
  const folder = r.object(value, path, FOLDER_KEYS);
  const folderPath = r.pathValue(folder.path, `${path}.path`) ?? r.fail(`${path}.path`, 'required');
  const tz = r.string(folder.tz, `${path}.tz`);
  if (tz !== null) {
    try {
      parseZone(tz);
    } catch (error) {
      if (!(error instanceof ZoneError)) throw error;
      r.fail(`${path}.tz`, error.message);
    }
  }
  return {
    path: folderPath,
    globs: r.stringList(folder.globs, `${path}.globs`) ?? DEFAULT_GLOBS,
    tz,
    format: r.string(folder.format, `${path}.format`),
    recover: r.boolean(folder.recover, `${path}.recover`),
  };
}
