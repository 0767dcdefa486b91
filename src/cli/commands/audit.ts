// `edgelog audit`: the unattended nightly run (see src/audit/run.ts). Options on the command line
// override the config file; PATH arguments are audited as extra folders.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CONFIDENCES, type Confidence } from '../../analysis/findings.js';
import { DEFAULT_FAIL_ON, DEFAULT_GLOBS, loadAuditConfig, type AuditConfig } from '../../audit/config.js';
import { runAudit } from '../../audit/run.js';
import { resolveDbPath } from '../../store/store.js';
import { globals, zoneOption } from '../context.js';
import { EdgelogError } from '../errors.js';

interface AuditFlags {
  config?: string;
  out?: string;
  failOn?: string;
  retainDays?: string;
  since?: string;
  tz?: string;
  firewallMap?: string;
  skew?: string;
}

function positiveInteger(value: string, option: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min) throw new EdgelogError(`${option} ${value}: expected a whole number >= ${min}`);
  return n;
}

function failOn(value: string): Confidence {
  if (!(CONFIDENCES as readonly string[]).includes(value)) {
    throw new EdgelogError(`--fail-on ${value}: expected one of ${CONFIDENCES.join(', ')}`);
  }
  return value as Confidence;
}

const EMPTY_CONFIG: AuditConfig = {
  file: null,
  db: null,
  folders: [],
  firewallMap: null,
  failOn: DEFAULT_FAIL_ON,
  skewSeconds: null,
  since: null,
  until: null,
  out: null,
  retainDays: null,
};

export function register(program: Command): void {
  program
    .command('audit')
    .description('nightly audit: ingest what is new under the configured folders, diagnose, compare with the last run, write DIR/YYYY-MM-DD/ reports; exit 1 on findings')
    .argument('[paths...]', 'folders or files to audit in addition to those of --config')
    .option('--config <file>', 'audit configuration (JSON; see docs/audit.md)')
    .option('--out <dir>', 'report folder (default: config "out", else edgelog-reports next to the database)')
    .option('--fail-on <level>', `exit 1 when a new or ongoing finding has this confidence or higher: ${CONFIDENCES.join('|')} (default ${DEFAULT_FAIL_ON})`)
    .option('--retain-days <n>', 'delete data rows, audit runs and ledger entries of vanished files older than N days')
    .option('--since <when>', 'diagnosis window start: 7d, 12h, 2w (back from now) or an ISO time (default: all data)')
    .option('--tz <zone>', 'time zone of local-time logs for folders that name none: IANA name or offset')
    .option('--firewall-map <file>', 'HOST=domain[,domain] lines: which domains sit behind which firewall host')
    .option('--skew <seconds>', 'largest clock offset searched between firewall and sender logs')
    .action(async (paths: string[], flags: AuditFlags, cmd: Command) => {
      const config = flags.config === undefined ? EMPTY_CONFIG : loadAuditConfig(flags.config);
      if (flags.tz !== undefined) zoneOption(flags.tz);
      const extra = paths.map((p) => ({ path: resolve(p), globs: DEFAULT_GLOBS, tz: null, format: null, recover: false }));
      const outcome = await runAudit({
        ...config,
        db: resolveDbPath(globals(cmd).db ?? config.db ?? undefined),
        folders: [...config.folders, ...extra],
        defaultTz: flags.tz ?? null,
        out: flags.out === undefined ? config.out : resolve(flags.out),
        failOn: flags.failOn === undefined ? config.failOn : failOn(flags.failOn),
        retainDays: flags.retainDays === undefined ? config.retainDays : positiveInteger(flags.retainDays, '--retain-days', 1),
        since: flags.since ?? config.since,
        firewallMap: flags.firewallMap === undefined ? config.firewallMap : resolve(flags.firewallMap),
        skewSeconds: flags.skew === undefined ? config.skewSeconds : positiveInteger(flags.skew, '--skew', 0),
      });
      const { report } = outcome;
      const count = (status: string) => report.findings.filter((f) => f.status === status).length;
      const lines = [
        `audit run ${report.runId}: ${count('new')} new, ${count('ongoing')} ongoing, ${count('resolved')} resolved; exit ${outcome.exitCode} (fail-on ${report.failOn})`,
        ...report.findings
          .filter((f) => f.status !== null)
          .map((f) => `  ${(f.status ?? '').padEnd(8)} ${f.verdict.padEnd(18)} ${f.confidence.padEnd(6)} ${f.domain}`),
        ...report.ingestProblems
          .filter((p) => p.status !== 'ok')
          .map((p) => `  ingest ${p.status}: ${p.path}${p.message ? ` (${p.message})` : ''}`),
        `report: ${outcome.reportDir}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      process.exitCode = outcome.exitCode;
    });
}
