// `edgelog diagnose`: one finding per remote domain in trouble (all with --all); exit 1 when any
// finding other than healthy is reported.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { diagnose, parseFirewallMap, type DiagnosisResult } from '../../analysis/diagnose.js';
import type { Finding } from '../../analysis/findings.js';
import { nanosFromIso } from '../../util/timezone.js';
import { EdgelogError, EXIT_FINDINGS, EXIT_OK } from '../errors.js';
import { withStore } from '../context.js';
import { formatRows, type Row } from '../output.js';

const FORMATS = ['table', 'json', 'md'] as const;
type DiagnoseFormat = (typeof FORMATS)[number];

interface DiagnoseFlags {
  domain?: string;
  since?: string;
  until?: string;
  firewallMap?: string;
  skew?: string;
  all?: boolean;
  format?: string;
}

export function register(program: Command): void {
  program
    .command('diagnose')
    .description('per remote domain: KB818222 (XEXCH50 blocked by a firewall) and its look-alikes')
    .option('--domain <domain>', 'only this remote domain')
    .option('--since <time>', 'evidence from this time on (ISO 8601, UTC unless an offset is given)')
    .option('--until <time>', 'evidence before this time; also "now" for ages (default: the latest evidence)')
    .option('--firewall-map <file>', 'lines HOST=domain[,domain]: which domains sit behind which firewall host')
    .option('--skew <seconds>', 'largest clock difference between a firewall host and the sender to search (default 300)')
    .option('--all', 'also report healthy domains')
    .option('--format <format>', `output format: ${FORMATS.join('|')} (default: table on a terminal, else json)`)
    .action(async (opts: DiagnoseFlags, cmd: Command) => {
      const format = diagnoseFormat(opts.format);
      const options = {
        domain: opts.domain,
        since: timeOption('--since', opts.since),
        until: timeOption('--until', opts.until),
        firewallMap: opts.firewallMap === undefined ? undefined : readFirewallMap(opts.firewallMap),
        skewSeconds: skewOption(opts.skew),
      };
      const result = await withStore(cmd, true, (store) => diagnose(store.connection, options));
      const shown = opts.all || opts.domain ? result.findings : result.findings.filter((f) => f.verdict !== 'healthy');
      process.stdout.write(render({ ...result, findings: shown }, format, result.findings.length - shown.length));
      process.exitCode = shown.some((f) => f.verdict !== 'healthy') ? EXIT_FINDINGS : EXIT_OK;
    });
}

function diagnoseFormat(value: string | undefined): DiagnoseFormat {
  if (value === undefined) return process.stdout.isTTY ? 'table' : 'json';
  if ((FORMATS as readonly string[]).includes(value)) return value as DiagnoseFormat;
  throw new EdgelogError(`--format ${value}: expected one of ${FORMATS.join(', ')}`);
}

function timeOption(name: string, value: string | undefined): bigint | null {
  if (value === undefined) return null;
  const ns = nanosFromIso(value);
  if (ns === null) throw new EdgelogError(`${name} ${value}: expected an ISO 8601 time such as 2006-03-14 or 2006-03-14T09:00:00Z`);
  return ns;
}

function skewOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new EdgelogError(`--skew ${value}: expected a number of seconds >= 0`);
  }
  return seconds;
}

function readFirewallMap(file: string): Map<string, string[]> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new EdgelogError(`--firewall-map ${file}: ${(error as Error).message}`);
  }
  return parseFirewallMap(text, file);
}

/** The JSON document of `--format json` (snake_case, as the audit's findings.json). */
export function diagnosisJson(result: DiagnosisResult): unknown {
  return {
    findings: result.findings.map((f) => ({
      domain: f.domain,
      verdict: f.verdict,
      confidence: f.confidence,
      summary: f.summary,
      counts: f.counts,
      evidence: f.evidence,
      remediation: f.remediation,
      first_seen: f.first_seen,
      last_seen: f.last_seen,
    })),
    firewall_hosts: result.firewallHosts.map((h) => ({
      host: h.host,
      domains: h.domains,
      method: h.method,
      clock_offset_seconds: h.clockOffsetSeconds,
      events: h.events,
      matched: h.matched,
      other_verb_events: h.otherVerbEvents,
      unknown_verb_events: h.unknownVerbEvents,
    })),
    window: result.window,
    notes: result.notes,
  };
}

const COLUMNS = ['domain', 'verdict', 'confidence', 'sent', 'delivered', 'ndr', 'undelivered', 'xexch50', 'blocked', 'fw_events', 'summary'];

function findingRow(f: Finding): Row {
  return {
    domain: f.domain,
    verdict: f.verdict,
    confidence: f.confidence,
    sent: f.counts.sent,
    delivered: f.counts.delivered,
    ndr: f.counts.ndr,
    undelivered: f.counts.undelivered,
    xexch50: f.counts.xexch50_attempts,
    blocked: f.counts.xexch50_blocked,
    fw_events: f.counts.firewall_events,
    summary: f.summary,
  };
}

function render(result: DiagnosisResult, format: DiagnoseFormat, hiddenHealthy: number): string {
  if (format === 'json') return `${JSON.stringify(diagnosisJson(result), null, 2)}\n`;
  const out: string[] = [];
  const window = `window ${result.window.since ?? '…'} – ${result.window.until ?? '…'}`;
  if (result.findings.length === 0) out.push(`No domain in trouble (${window}).\n`);
  else out.push(formatRows(COLUMNS, result.findings.map(findingRow), format));
  if (hiddenHealthy > 0) out.push(`${hiddenHealthy} healthy domain(s) not shown (--all shows them).\n`);
  for (const f of result.findings.filter((x) => x.remediation)) {
    out.push(format === 'md' ? `\n**${f.domain}** (${f.verdict}): ${f.remediation}\n` : `\n${f.domain} (${f.verdict}): ${f.remediation}\n`);
  }
  const hosts = result.firewallHosts.filter((h) => h.events > 0);
  if (hosts.length > 0) {
    out.push('\n');
    out.push(
      formatRows(
        ['firewall_host', 'domains', 'method', 'clock_offset_s', 'xexch50_events', 'matched'],
        hosts.map((h) => ({
          firewall_host: h.host,
          domains: h.domains.join(', '),
          method: h.method,
          clock_offset_s: h.clockOffsetSeconds === null ? null : Number(h.clockOffsetSeconds.toFixed(1)),
          xexch50_events: h.events,
          matched: h.matched,
        })),
        format,
      ),
    );
  }
  for (const note of result.notes) out.push(format === 'md' ? `\n> note: ${note}\n` : `note: ${note}\n`);
  out.push(`${window}\n`);
  return out.join('');
}
