// The three report files from one hand-made report whose domain, subject, host and file names
// carry `<script>`: everything renders as text, nothing as markup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReportHtml } from '../../src/render/report-html.js';
import { renderSummaryMarkdown } from '../../src/render/summary-md.js';
import { renderFindingsJson } from '../../src/render/findings-json.js';
import { timelineSvg } from '../../src/render/charts.js';
import { HOSTILE, HOSTILE_DOMAIN, hostileReport } from './fixture-report.js';

const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;';

test('report.html escapes every log-derived string and loads nothing from outside', () => {
  const html = renderReportHtml(hostileReport());
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<b>bold/);
  assert.doesNotMatch(html, /\b(src|href)\s*=/i);
  assert.doesNotMatch(html, /@import|url\(/i);
  // domain (card attribute and title, domain table, chart label), summary, evidence (message id,
  // subject, firewall host), note, ingest problems (path and issue; the message of the one without issues)
  const occurrences = html.split(ESCAPED).length - 1;
  assert.equal(occurrences, 12);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">/);
  assert.match(html, /<div class="banner fail" id="totals">1 new, 0 ongoing, 0 resolved — exit 1/);
  assert.match(html, /<td>fine\.example<\/td><td>healthy<\/td><td>high<\/td><td><\/td><td class="n">3<\/td><td class="n">3<\/td>/);
  assert.match(html, /<li>error at line 3: unexpected &lt;script&gt;/);
  assert.match(html, /and 3 more issues/);
  assert.match(html, /<li><code>\/drop\/gone\.log<\/code>: missing \(no such file &lt;script&gt;/);
});

test('the timeline chart: one bar per non-empty bucket and series, points for queue depth and age', () => {
  const svg = timelineSvg(hostileReport().timelines[0]);
  assert.equal((svg.match(/<rect /g) ?? []).length, 3 + 3 + 1);
  assert.equal((svg.match(/<circle /g) ?? []).length, 4);
  assert.match(svg, /<title>2026-10-01 08:00Z: 2 attempts<\/title>/);
  assert.match(svg, /<title>2026-10-01 11:00Z: 1 NDRs<\/title>/);
  assert.match(svg, /<title>2026-10-01 10:00Z: 2\.5 hours<\/title>/);
  assert.match(svg, /aria-label="Timeline for evil&lt;script&gt;/);
  assert.match(svg, /Outbound attempts \(grey\) and XEXCH50 blocks \(red\) per hour, from SMTP protocol log sessions/);
});

test('summary.md: changes first, then the domain table, inputs and ingest problems, markup escaped', () => {
  const md = renderSummaryMarkdown(hostileReport());
  assert.doesNotMatch(md, /(?<!\\)<script/);
  const lines = md.split('\n');
  assert.equal(lines[0], '# edgelog audit 2026-10-02 (run 7)');
  assert.equal(lines[2], '**1 new, 0 ongoing, 0 resolved.** Exit 1 (fails on low confidence or higher).');
  const order = ['## New problems', '## All domains', '## Inputs', '## Ingest problems', '## Notes'].map((h) => lines.indexOf(h));
  assert.deepEqual([...order].sort((a, b) => a - b), order);
  assert.ok(order.every((i) => i > 0));
  assert.ok(lines.includes('- **evil\\<script\\>alert("x")\\</script\\>.example**: xexch50-blocked (confidence high). Mail to evil\\<script\\>alert("x")\\</script\\>.example is blocked after the XEXCH50 command (KB 818222).'));
  assert.ok(lines.includes('| fine.example | healthy | high |  | 3 | 3 | 0 | 0 | 4 | 0 | 0 |'));
  assert.ok(lines.includes('- /drop/\\<b\\>bold\\</b\\>: 3 files, 1 unchanged, 1 ok, 1 failed; 40 records stored'));
  assert.ok(lines.includes('- /drop/\\<script\\>alert("x")\\</script\\>.log: failed'));
  assert.ok(lines.includes('  - error at line 3: unexpected \\<script\\>alert("x")\\</script\\>'));
  assert.ok(lines.includes('- /drop/gone.log: missing (no such file \\<script\\>alert("x")\\</script\\>)'));
});

test('findings.json keeps the raw strings (JSON escapes them) and lists problems and domains', () => {
  const doc = JSON.parse(renderFindingsJson(hostileReport()));
  assert.equal(doc.run_id, 7);
  assert.equal(doc.previous_run_id, 6);
  assert.deepEqual(doc.totals, { new: 1, ongoing: 0, resolved: 0, domains: 2 });
  assert.deepEqual(doc.findings.map((f: { domain: string }) => f.domain), [HOSTILE_DOMAIN]);
  assert.deepEqual(doc.domains.map((f: { domain: string }) => f.domain), [HOSTILE_DOMAIN, 'fine.example']);
  assert.equal(doc.findings[0].evidence.examples.stuck[0].subject, `Re: ${HOSTILE}`);
  assert.equal(doc.ingest_problems[0].issueCount, 4);
});
