// report.html: one self-contained page (inline CSS and SVG, no script, no external resource; the
// Content-Security-Policy forbids any, so even an escaping bug could not load or run anything).
// Every log-derived string goes through escapeHtml.
import type { AuditFinding } from '../audit/compare.js';
import { timelineSvg } from './charts.js';
import { escapeHtml as esc } from './escape.js';
import type { AuditReport } from './model.js';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#1c2833;background:#f4f6f7}
main{max-width:1000px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d5d8dc;padding-bottom:4px}
.banner{padding:10px 14px;border-radius:6px;font-weight:600;margin:8px 0}
.fail{background:#fadbd8;color:#78281f}.pass{background:#d5f5e3;color:#145a32}
.card{background:#fff;border:1px solid #d5d8dc;border-left:6px solid #7f8c8d;border-radius:6px;padding:12px 16px;margin:12px 0}
.card.new{border-left-color:#c0392b}.card.ongoing{border-left-color:#d68910}.card.resolved{border-left-color:#229954}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;margin-right:6px;background:#e5e8e8}
.badge.new{background:#c0392b;color:#fff}.badge.ongoing{background:#d68910;color:#fff}.badge.resolved{background:#229954;color:#fff}
.badge.high{background:#641e16;color:#fff}.badge.medium{background:#a04000;color:#fff}
.domain{font-size:17px;font-weight:700;word-break:break-all}
.fix{background:#eaf2f8;border-radius:4px;padding:8px 10px;margin:8px 0}
table{border-collapse:collapse;background:#fff;width:100%;font-size:13px}
th,td{border:1px solid #d5d8dc;padding:4px 6px;text-align:left;vertical-align:top}td.n{text-align:right}
th{background:#eaeded}.muted{color:#717d7e}
details{margin:6px 0}summary{cursor:pointer;color:#1a5276}
dl.ev{margin:4px 0 4px 12px}dl.ev dt{font-weight:600}dl.ev dd{margin:0 0 4px 16px;word-break:break-word}
svg.chart{max-width:100%;height:auto;background:#fff;border:1px solid #eaeded;margin-top:8px}
.chart-title{font-size:12px;fill:#283747}.tick{font-size:11px;fill:#566573}.axis{stroke:#abb2b9}
code{background:#eaeded;padding:0 3px;border-radius:3px}
`;

const MAX_LIST = 25;
const MAX_DEPTH = 4;

function evidenceHtml(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return '<span class="muted">none</span>';
  if (typeof value !== 'object') return esc(value);
  if (depth >= MAX_DEPTH) return `<code>${esc(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)))}</code>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return '<span class="muted">none</span>';
    const items = value.slice(0, MAX_LIST).map((v) => `<li>${evidenceHtml(v, depth + 1)}</li>`);
    const more = value.length > MAX_LIST ? `<li class="muted">and ${value.length - MAX_LIST} more</li>` : '';
    return `<ul>${items.join('')}${more}</ul>`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '<span class="muted">none</span>';
  return `<dl class="ev">${entries.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${evidenceHtml(v, depth + 1)}</dd>`).join('')}</dl>`;
}

function countsRow(f: AuditFinding): string {
  const c = f.counts;
  return [c.sent, c.delivered, c.ndr, c.undelivered, c.xexch50_attempts, c.xexch50_blocked, c.firewall_events]
    .map((n) => `<td class="n">${esc(n)}</td>`)
    .join('');
}

const COUNT_HEADERS = '<th>Sent</th><th>Delivered</th><th>NDR</th><th>Still queued</th><th>XEXCH50 tries</th><th>Blocked</th><th>Firewall events</th>';

function findingCard(f: AuditFinding, report: AuditReport): string {
  const timeline = report.timelines.find((t) => t.domain === f.domain);
  const seen = [
    f.first_seen && `first seen ${esc(f.first_seen)}`,
    f.last_seen && `last seen ${esc(f.last_seen)}`,
    f.first_reported && f.status !== 'new' && `reported since ${esc(f.first_reported)}`,
  ].filter(Boolean);
  return `<section class="card ${f.status}" data-domain="${esc(f.domain)}" data-status="${f.status}">
<div><span class="badge ${f.status}">${esc(f.status)}</span><span class="badge">${esc(f.verdict)}</span><span class="badge ${esc(f.confidence)}">confidence ${esc(f.confidence)}</span></div>
<div class="domain">${esc(f.domain)}</div>
<p class="summary">${esc(f.summary)}</p>
${seen.length > 0 ? `<p class="muted">${seen.join(' · ')}</p>` : ''}
<table><tr>${COUNT_HEADERS}</tr><tr>${countsRow(f)}</tr></table>
${f.remediation ? `<div class="fix"><strong>Fix:</strong> ${esc(f.remediation)}</div>` : ''}
${f.status !== 'resolved' && timeline ? timelineSvg(timeline) : ''}
<details><summary>Evidence</summary>${evidenceHtml(f.evidence)}</details>
</section>`;
}

function domainTable(report: AuditReport): string {
  const rows = report.findings.filter((f) => f.status !== 'resolved');
  if (rows.length === 0) return '<p class="muted">No domains in the window.</p>';
  return `<table id="domains"><tr><th>Domain</th><th>Verdict</th><th>Confidence</th><th>Status</th>${COUNT_HEADERS}</tr>
${rows.map((f) => `<tr><td>${esc(f.domain)}</td><td>${esc(f.verdict)}</td><td>${esc(f.confidence)}</td><td>${esc(f.status ?? '')}</td>${countsRow(f)}</tr>`).join('\n')}
</table>`;
}

function inputsHtml(report: AuditReport): string {
  const folders = report.folders
    .map((folder) => {
      const statuses = Object.entries(folder.byStatus).map(([s, n]) => `${n} ${esc(s)}`);
      const detail =
        folder.missing !== null
          ? `cannot be read: ${esc(folder.missing)}`
          : `${folder.found} files, ${folder.unchanged} unchanged${statuses.length > 0 ? `, ${statuses.join(', ')}` : ''}; ${folder.records} records stored`;
      return `<li><code>${esc(folder.path)}</code>: ${detail}</li>`;
    })
    .join('');
  const problems = report.ingestProblems
    .map((p) => {
      const issues = p.issues.map((i) => `<li>${esc(i.severity)}${i.where ? ` at ${esc(i.where)}` : ''}: ${esc(i.message)}</li>`);
      if (p.issueCount > p.issues.length) issues.push(`<li class="muted">and ${p.issueCount - p.issues.length} more issues</li>`);
      const message = p.message && p.issues.length === 0 ? ` (${esc(p.message)})` : '';
      return `<li><code>${esc(p.path)}</code>: ${esc(p.status)}${message}${issues.length > 0 ? `<ul>${issues.join('')}</ul>` : ''}</li>`;
    })
    .join('');
  return `<ul>${folders}</ul>${problems ? `<h3>Ingest problems</h3><ul id="ingest-problems">${problems}</ul>` : ''}`;
}

export function renderReportHtml(report: AuditReport): string {
  const count = (status: string) => report.findings.filter((f) => f.status === status).length;
  const problems = report.findings.filter((f) => f.status !== null);
  const title = `edgelog audit ${report.startedAt.slice(0, 10)}`;
  const notes = [
    ...report.noLongerSeen.map((p) => `${p.domain}: ${p.verdict} reported since ${p.first_reported}, no traffic in this window.`),
    ...report.notes,
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body><main>
<h1>${esc(title)} <span class="muted">run ${report.runId}</span></h1>
<div class="banner ${report.exitCode === 0 ? 'pass' : 'fail'}" id="totals">${count('new')} new, ${count('ongoing')} ongoing, ${count('resolved')} resolved — exit ${report.exitCode} (fails on ${esc(report.failOn)} confidence or higher)</div>
<p class="muted">Window: ${esc(report.window.since ?? 'all data')} to ${esc(report.window.until ?? 'now')} · database <code>${esc(report.db)}</code> · ${report.previousRunId === null ? 'first audit of this database' : `compared with run ${report.previousRunId}`} · started ${esc(report.startedAt)}, finished ${esc(report.finishedAt)}</p>
<h2>Findings</h2>
${problems.length > 0 ? problems.map((f) => findingCard(f, report)).join('\n') : '<p id="no-findings">No problems found: every domain in the window is healthy.</p>'}
<h2>All domains</h2>
${domainTable(report)}
<h2>Inputs</h2>
${inputsHtml(report)}
${notes.length > 0 ? `<h2>Notes</h2><ul>${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<p class="muted">Generated by edgelog. This file needs no network and runs no script.</p>
</main></body>
</html>
`;
}
