// summary.md: what a person reads in the morning mail. Changes first (new, ongoing, resolved),
// then every domain in one table, then what went wrong reading the inputs.
import type { AuditFinding } from '../audit/compare.js';
import { escapeMarkdown as md } from './escape.js';
import type { AuditReport } from './model.js';

const SECTIONS = [
  ['new', 'New problems'],
  ['ongoing', 'Ongoing problems'],
  ['resolved', 'Resolved'],
] as const;

function findingBlock(f: AuditFinding): string[] {
  const lines = [`- **${md(f.domain)}**: ${md(f.verdict)} (confidence ${md(f.confidence)}). ${md(f.summary)}`];
  const seen = [f.first_seen && `first seen ${md(f.first_seen)}`, f.last_seen && `last seen ${md(f.last_seen)}`].filter(Boolean);
  if (f.first_reported && f.status !== 'new') seen.push(`reported since ${md(f.first_reported)}`);
  if (seen.length > 0) lines.push(`  ${seen.join(', ')}.`);
  const c = f.counts;
  lines.push(
    `  Recipients: ${c.sent} sent, ${c.delivered} delivered, ${c.ndr} NDR, ${c.undelivered} still queued; ` +
      `XEXCH50: ${c.xexch50_attempts} attempts, ${c.xexch50_blocked} blocked; firewall events: ${c.firewall_events}.`,
  );
  if (f.remediation) lines.push(`  Fix: ${md(f.remediation)}`);
  return lines;
}

function domainTable(findings: AuditFinding[]): string[] {
  const rows = findings.filter((f) => f.status !== 'resolved');
  if (rows.length === 0) return ['No domains in the window.'];
  const head = '| Domain | Verdict | Confidence | Status | Sent | Delivered | NDR | Queued | XEXCH50 tries | Blocked | Firewall events |';
  return [
    head,
    `|${head.split('|').slice(1, -1).map(() => '---').join('|')}|`,
    ...rows.map((f) => {
      const c = f.counts;
      return `| ${md(f.domain)} | ${md(f.verdict)} | ${f.confidence} | ${f.status ?? ''} | ${c.sent} | ${c.delivered} | ${c.ndr} | ${c.undelivered} | ${c.xexch50_attempts} | ${c.xexch50_blocked} | ${c.firewall_events} |`;
    }),
  ];
}

export function renderSummaryMarkdown(report: AuditReport): string {
  const count = (status: string) => report.findings.filter((f) => f.status === status).length;
  const out: string[] = [
    `# edgelog audit ${report.startedAt.slice(0, 10)} (run ${report.runId})`,
    '',
    `**${count('new')} new, ${count('ongoing')} ongoing, ${count('resolved')} resolved.** ` +
      `Exit ${report.exitCode} (fails on ${report.failOn} confidence or higher).`,
    '',
    `Window: ${report.window.since ?? 'all data'} to ${report.window.until ?? 'now'}. Database: ${md(report.db)}.` +
      (report.previousRunId === null ? ' First audit of this database.' : ` Compared with run ${report.previousRunId}.`),
  ];
  for (const [status, title] of SECTIONS) {
    const list = report.findings.filter((f) => f.status === status);
    if (list.length === 0) continue;
    out.push('', `## ${title}`, '', ...list.flatMap(findingBlock));
  }
  if (report.noLongerSeen.length > 0) {
    out.push('', '## No longer seen', '', 'These problems were reported before; their domains had no traffic in this window:', '');
    out.push(...report.noLongerSeen.map((p) => `- ${md(p.domain)}: ${md(p.verdict)} (reported since ${md(p.first_reported)})`));
  }
  out.push('', '## All domains', '', ...domainTable(report.findings));
  out.push('', '## Inputs', '');
  for (const folder of report.folders) {
    const statuses = Object.entries(folder.byStatus).map(([s, n]) => `${n} ${s}`);
    out.push(
      `- ${md(folder.path)}: ` +
        (folder.missing !== null
          ? `cannot be read (${md(folder.missing)})`
          : `${folder.found} files, ${folder.unchanged} unchanged${statuses.length > 0 ? `, ${statuses.join(', ')}` : ''}; ${folder.records} records stored`),
    );
  }
  if (report.ingestProblems.length > 0) {
    out.push('', '## Ingest problems', '');
    for (const p of report.ingestProblems) {
      const message = p.message && p.issues.length === 0 ? ` (${md(p.message)})` : '';
      out.push(`- ${md(p.path)}: ${p.status}${message}`);
      out.push(...p.issues.map((i) => `  - ${i.severity}${i.where ? ` at ${md(i.where)}` : ''}: ${md(i.message)}`));
      if (p.issueCount > p.issues.length) out.push(`  - and ${p.issueCount - p.issues.length} more issues`);
    }
  }
  if (report.retention !== null) {
    const deleted = Object.entries(report.retention.deleted).map(([t, n]) => `${n} from ${t}`);
    out.push('', `Retention (${report.retention.days} days): ${deleted.length > 0 ? `deleted ${deleted.join(', ')}` : 'nothing to delete'}.`);
  }
  if (report.notes.length > 0) out.push('', '## Notes', '', ...report.notes.map((n) => `- ${md(n)}`));
  return `${out.join('\n')}\n`;
}
