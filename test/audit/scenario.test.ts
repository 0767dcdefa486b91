// The audit on the bundled scenario, through the CLI, as an administrator runs it: the first run
// reports every troubled domain of ground-truth.json as new and exits 1; the second reads no file
// again and reports them ongoing, with the same findings, evidence and charts; after a new day's
// tracking log in which a blocked domain's mail is delivered (audited with --since that day), that
// problem is resolved and the run exits 0.
// Domain names come from ground-truth.json: the blocked domain without a firewall log recovers,
// using the lines of a healthy domain's delivered message as the template.
// The report opens in a real browser, and the canned reports give the same rows over a Parquet
// export of the audited database as over the database itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openLake } from '../../src/export/lake.js';
import { bindParams, listReports } from '../../src/reports/catalog.js';
import { runSql } from '../../src/store/sql.js';
import { openStore } from '../../src/store/store.js';
import { REPO, runCli, tempDir } from '../helpers/cli.js';
import { launchChromium, watchedPage } from '../render/chromium.js';
import { comparableReport } from './report-files.js';

/** Rows in a canonical order: reports that order by a non-unique key may list ties either way. */
function sameOrder(result: { columns: string[]; rows: unknown[] }): { columns: string[]; rows: string[] } {
  return { columns: result.columns, rows: result.rows.map((r) => JSON.stringify(r)).sort() };
}

const SCENARIO = join(REPO, 'fixtures/scenario');

interface Truth {
  domains: Record<string, { verdict: string; confidence: string; counts: Record<string, number>; firewall_hosts: string[] }>;
}

interface FindingJson {
  domain: string;
  verdict: string;
  confidence: string;
  status: string | null;
  counts: Record<string, number>;
}

function setUp(): { dir: string; drop: string; args: string[] } {
  const dir = tempDir();
  const drop = join(dir, 'drop');
  cpSync(SCENARIO, drop, { recursive: true });
  const config = {
    folders: [
      { path: 'drop', globs: ['**/*', '!**/Queues/**'] },
      { path: 'drop', globs: ['**/Queues/*'], tz: 'America/New_York' },
    ],
    firewallMap: 'drop/firewall-map.txt',
    out: 'reports',
  };
  writeFileSync(join(dir, 'audit.json'), JSON.stringify(config));
  return { dir, drop, args: ['--db', join(dir, 'edge.duckdb'), 'audit', '--config', join(dir, 'audit.json')] };
}

function reportOf(stdout: string): { dir: string; json: { findings: FindingJson[]; domains: FindingJson[]; inputs: { found: number; unchanged: number; byStatus: Record<string, number> }[]; no_longer_seen: { domain: string }[] } } {
  const dir = /^report: (.+)$/m.exec(stdout)?.[1];
  assert.ok(dir, stdout);
  return { dir, json: JSON.parse(readFileSync(join(dir, 'findings.json'), 'utf8')) };
}

async function ledgerRows(db: string): Promise<number> {
  const store = await openStore(db, { readOnly: true });
  try {
    return Number((await runSql(store.connection, 'SELECT count(*) AS n FROM ingest_files')).rows[0].n);
  } finally {
    await store.close();
  }
}

const TRACKING = join(SCENARIO, 'EXCH01/EXCH01.log');
const field = (line: string, i: number): string => line.split('\t')[i] ?? '';

/**
 * A tracking log for the day after the last one, in which `domain` has three messages delivered:
 * copies of a healthy domain's delivered message (same events, renamed). Returns its text, the
 * number of (message, recipient) pairs and the day it covers.
 */
function recoveryLog(domain: string, truth: Truth): { name: string; text: string; pairs: number; day: string } {
  const lastFile = readdirSync(TRACKING).sort().at(-1)!;
  const lines = readFileSync(join(TRACKING, lastFile), 'utf8').split(/\r?\n/);
  const healthy = (l: string) => truth.domains[field(l, 7).split('@')[1]]?.verdict === 'healthy';
  const template = lines.find((l) => !l.startsWith('#') && field(l, 8) === '1031' && healthy(l))!;
  const [messageId, templateDomain] = [field(template, 9), field(template, 7).split('@')[1]];
  const flow = lines.filter((l) => field(l, 9) === messageId);
  const [y, m, d] = field(template, 0).split('-').map(Number);
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  const nextDate = `${next.getUTCFullYear()}-${next.getUTCMonth() + 1}-${next.getUTCDate()}`;
  const out = lines.filter((l) => l.startsWith('#'));
  for (let n = 0; n < 3; n++) {
    for (const line of flow) {
      const cells = line.split('\t');
      cells[0] = nextDate;
      cells[1] = cells[1].replace(/^\d+:/, `${9 + n}:`);
      out.push(cells.join('\t').replaceAll(templateDomain, domain).replaceAll(messageId, messageId.replace('@', `R${n}@`)));
    }
  }
  const recipients = new Set(flow.filter((l) => field(l, 8) === '1031').map((l) => field(l, 7)));
  return {
    name: `${next.toISOString().slice(0, 10).replaceAll('-', '')}.log`,
    text: `${out.join('\r\n')}\r\n`,
    pairs: 3 * recipients.size,
    day: next.toISOString().slice(0, 10),
  };
}

test('audit on the scenario: new, ongoing, then resolved; report in a browser; lake = database', async () => {
  const truth = JSON.parse(readFileSync(join(SCENARIO, 'ground-truth.json'), 'utf8')) as Truth;
  const troubled = Object.entries(truth.domains)
    .filter(([, d]) => d.verdict !== 'healthy')
    .map(([domain, d]) => [domain, d.verdict, d.confidence])
    .sort();
  assert.ok(troubled.length >= 5);
  const blocked = Object.entries(truth.domains).filter(([, d]) => d.verdict === 'xexch50-blocked');
  const charted = blocked.find(([, d]) => d.firewall_hosts.length > 0)![0];
  const recovering = blocked.find(([, d]) => d.firewall_hosts.length === 0)![0];
  const { dir, drop, args } = setUp();
  const db = join(dir, 'edge.duckdb');

  const first = await runCli(args, { cwd: dir });
  assert.equal(first.code, 1, first.stderr);
  const r1 = reportOf(first.stdout);
  assert.deepEqual(r1.json.findings.map((f) => [f.domain, f.verdict, f.confidence]).sort(), troubled);
  assert.ok(r1.json.findings.every((f) => f.status === 'new'));
  for (const f of r1.json.findings) assert.deepEqual(f.counts, truth.domains[f.domain].counts, f.domain);
  const ledgerAfterFirst = await ledgerRows(db);
  const firstReport = comparableReport(r1.dir);
  assert.ok(firstReport.charts.length > 0);

  const second = await runCli(args, { cwd: dir });
  assert.equal(second.code, 1, second.stderr);
  const r2 = reportOf(second.stdout);
  assert.deepEqual(r2.json.findings.map((f) => [f.domain, f.verdict, f.confidence]).sort(), troubled);
  assert.ok(r2.json.findings.every((f) => f.status === 'ongoing'));
  for (const folder of r2.json.inputs) {
    assert.deepEqual(Object.keys(folder.byStatus).filter((s) => s !== 'unrecognised'), [], 'nothing ingested');
    assert.equal(folder.unchanged + (folder.byStatus.unrecognised ?? 0), folder.found);
  }
  assert.equal(await ledgerRows(db), ledgerAfterFirst);
  assert.deepEqual(comparableReport(r2.dir), firstReport, 'the reused diagnosis and charts report what the first run did');
  const store2 = await openStore(db, { readOnly: true });
  try {
    const runs = (await runSql(store2.connection, 'SELECT run_id, files_ingested, files_unchanged, files_failed FROM audit_runs ORDER BY run_id')).rows;
    assert.deepEqual(runs, [
      { run_id: '1', files_ingested: ledgerAfterFirst, files_unchanged: 0, files_failed: 0 },
      { run_id: '2', files_ingested: 0, files_unchanged: ledgerAfterFirst, files_failed: 0 },
    ]);
  } finally {
    await store2.close();
  }

  // The browser view of the report (the second run replaced the first one's folder of the same day).
  assert.equal(r2.dir, r1.dir);
  const browser = await launchChromium();
  try {
    const { page, messages } = await watchedPage(browser);
    await page.goto(pathToFileURL(join(r2.dir, 'report.html')).href);
    assert.deepEqual(messages, []);
    assert.equal(await page.locator('section.card.ongoing').count(), troubled.length);
    assert.equal(await page.locator(`section.card[data-domain="${charted}"] svg.chart`).count(), 1);
    assert.equal(await page.locator('#domains tr').count(), r2.json.domains.length + 1);
    mkdirSync(join(REPO, 'test-output'), { recursive: true });
    await page.screenshot({ path: join(REPO, 'test-output/report-scenario.png'), fullPage: true });
  } finally {
    await browser.close();
  }

  // Canned reports over a Parquet export of the audited database.
  const lakeDir = join(dir, 'lake');
  const exported = await runCli(['--db', db, 'export', '--parquet', lakeDir, '--format', 'json']);
  assert.equal(exported.code, 0, exported.stderr);
  const store = await openStore(db, { readOnly: true });
  const lake = await openLake(lakeDir);
  let reportsWithRows = 0;
  try {
    for (const report of listReports()) {
      const given = Object.fromEntries(report.params.filter((p) => !p.optional).map((p) => [p.name, p.name === 'domain' ? charted : '']));
      const bound = bindParams(report, given);
      const fromDb = await runSql(store.connection, report.sql, bound.values, bound.types);
      if (fromDb.rows.length > 0) reportsWithRows++;
      assert.deepEqual(sameOrder(await runSql(lake.connection, report.sql, bound.values, bound.types)), sameOrder(fromDb), `report ${report.name}`);
    }
  } finally {
    await lake.close();
    await store.close();
  }
  assert.ok(reportsWithRows >= 6, `${reportsWithRows} canned reports had rows to compare`);
  // The same through the CLI: `report NAME --lake` and `query --lake` against the database.
  const sortedLines = (text: string) => text.split('\n').sort();
  for (const cli of [
    ['report', 'ndr-by-domain', '--format', 'csv'],
    ['query', 'SELECT verdict, status, count(*) AS n FROM audit_findings GROUP BY ALL ORDER BY ALL', '--format', 'csv'],
  ]) {
    const overDb = await runCli(['--db', db, ...cli]);
    const overLake = await runCli([...cli, '--lake', lakeDir]);
    assert.equal(overDb.code, 0, overDb.stderr);
    assert.equal(overLake.code, 0, overLake.stderr);
    assert.ok(overDb.stdout.split('\n').length > 3, overDb.stdout);
    assert.deepEqual(sortedLines(overLake.stdout), sortedLines(overDb.stdout), cli.join(' '));
  }

  // A new day: the blocked domain's mail is delivered.
  const recovery = recoveryLog(recovering, truth);
  writeFileSync(join(drop, 'EXCH01/EXCH01.log', recovery.name), recovery.text);
  const third = await runCli([...args, '--since', `${recovery.day}T00:00:00Z`], { cwd: dir });
  assert.equal(third.code, 0, third.stderr);
  const r3 = reportOf(third.stdout);
  assert.deepEqual(
    r3.json.findings.map((f) => [f.status, f.domain, f.verdict]),
    [['resolved', recovering, 'xexch50-blocked']],
  );
  assert.deepEqual(r3.json.domains.find((f) => f.domain === recovering)?.counts, {
    sent: recovery.pairs, delivered: recovery.pairs, ndr: 0, undelivered: 0, xexch50_attempts: 0, xexch50_blocked: 0, firewall_events: 0,
  });
  assert.deepEqual(
    r3.json.no_longer_seen.map((p) => p.domain).sort(),
    troubled.map(([domain]) => domain).filter((d) => d !== recovering),
  );
  assert.equal(r3.json.inputs.reduce((n, f) => n + (f.byStatus.ok ?? 0), 0), 1);
});
