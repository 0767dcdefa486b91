// The audit cycle on a small hand-made store: first run reports the blocked domain as new (exit 1),
// the second finds nothing new to read and calls it ongoing, and once the stuck mail is delivered
// the problem is resolved (exit 0). Each run writes its day folder and one audit_runs row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAudit, dayFolderName, type AuditSettings } from '../../src/audit/run.js';
import { domainTimelines } from '../../src/audit/timeline.js';
import { openStore } from '../../src/store/store.js';
import { runSql } from '../../src/store/sql.js';
import { REPO, tempDir } from '../helpers/cli.js';
import { comparableReport } from './report-files.js';
import { blockedSession, delivered, loadInto, trackingMessage } from './small-store.js';

function settings(dir: string): AuditSettings {
  const inbox = join(dir, 'inbox');
  mkdirSync(inbox, { recursive: true });
  return {
    file: null,
    db: join(dir, 'audit.duckdb'),
    folders: [{ path: inbox, globs: ['**/*'], tz: null, format: null, recover: false }],
    firewallMap: null,
    failOn: 'low',
    skewSeconds: null,
    since: null,
    until: null,
    out: join(dir, 'reports'),
    retainDays: null,
    defaultTz: null,
  };
}

test('new, then ongoing, then resolved across three runs', async () => {
  const dir = tempDir();
  const s = settings(dir);
  await loadInto(s.db, 'day1', [
    trackingMessage('<m1@corp>', 'ann@blocked.example', '2026-10-01T08:00:00Z'),
    trackingMessage('<m2@corp>', 'bob@blocked.example', '2026-10-01T09:00:00Z'),
    blockedSession('S1', 'blocked.example', '2026-10-01T08:00:05Z'),
    blockedSession('S2', 'blocked.example', '2026-10-01T09:00:05Z'),
    trackingMessage('<m3@corp>', 'cy@fine.example', '2026-10-01T10:00:00Z'),
    delivered('<m3@corp>', 'cy@fine.example', '2026-10-01T10:00:02Z'),
  ]);

  const first = await runAudit(s, new Date('2026-10-02T02:00:00Z'));
  assert.equal(first.exitCode, 1);
  const problems1 = first.report.findings.filter((f) => f.status !== null);
  assert.deepEqual(
    problems1.map((f) => [f.status, f.domain, f.verdict, f.confidence]),
    [['new', 'blocked.example', 'xexch50-blocked', 'medium']],
  );
  assert.equal(problems1[0].counts.undelivered, 2);
  assert.equal(problems1[0].counts.xexch50_blocked, 2);
  assert.equal(first.report.findings.find((f) => f.domain === 'fine.example')?.verdict, 'healthy');
  assert.equal(first.report.previousRunId, null);
  assert.equal(first.reportDir, join(s.out!, dayFolderName(new Date('2026-10-02T02:00:00Z'))));
  assert.deepEqual(readdirSync(first.reportDir).sort(), ['findings.json', 'report.html', 'summary.md']);
  const json1 = JSON.parse(readFileSync(join(first.reportDir, 'findings.json'), 'utf8'));
  assert.equal(json1.run_id, 1);
  assert.deepEqual(json1.totals, { new: 1, ongoing: 0, resolved: 0, domains: 2 });
  assert.equal(json1.findings[0].status, 'new');
  assert.equal(json1.findings[0].first_reported, '2026-10-02T02:00:00.000Z');
  assert.equal(json1.domains.length, 2);

  const second = await runAudit(s, new Date('2026-10-03T02:00:00Z'));
  assert.equal(second.exitCode, 1);
  assert.equal(second.report.diagnosisReused, true);
  assert.deepEqual(
    second.report.findings.filter((f) => f.status !== null).map((f) => [f.status, f.domain, f.first_reported]),
    [['ongoing', 'blocked.example', '2026-10-02T02:00:00.000Z']],
  );
  assert.equal(second.report.previousRunId, 1);

  await loadInto(s.db, 'day3', [
    delivered('<m1@corp>', 'ann@blocked.example', '2026-10-03T08:00:00Z'),
    delivered('<m2@corp>', 'bob@blocked.example', '2026-10-03T08:00:01Z'),
  ]);
  const third = await runAudit(s, new Date('2026-10-04T02:00:00Z'));
  assert.equal(third.exitCode, 0);
  assert.equal(third.report.diagnosisReused, false);
  const problems3 = third.report.findings.filter((f) => f.status !== null);
  assert.deepEqual(
    problems3.map((f) => [f.status, f.domain, f.verdict]),
    [['resolved', 'blocked.example', 'xexch50-blocked']],
  );
  assert.equal(third.report.findings.find((f) => f.domain === 'blocked.example' && f.status === null)?.verdict, 'healthy');
  const md = readFileSync(join(third.reportDir, 'summary.md'), 'utf8');
  assert.match(md, /\*\*0 new, 0 ongoing, 1 resolved\.\*\*/);
  assert.match(md, /## Resolved\n\n- \*\*blocked\.example\*\*: xexch50-blocked/);

  const store = await openStore(s.db, { readOnly: true });
  try {
    const runs = await runSql(store.connection, 'SELECT run_id, exit_code, new_count, ongoing_count, resolved_count FROM audit_runs ORDER BY run_id');
    assert.deepEqual(runs.rows, [
      { run_id: '1', exit_code: 1, new_count: 1, ongoing_count: 0, resolved_count: 0 },
      { run_id: '2', exit_code: 1, new_count: 0, ongoing_count: 1, resolved_count: 0 },
      { run_id: '3', exit_code: 0, new_count: 0, ongoing_count: 0, resolved_count: 1 },
    ]);
    const findings = await runSql(store.connection, "SELECT run_id, domain, status FROM audit_findings WHERE status IS NOT NULL ORDER BY run_id");
    assert.deepEqual(findings.rows, [
      { run_id: '1', domain: 'blocked.example', status: 'new' },
      { run_id: '2', domain: 'blocked.example', status: 'ongoing' },
      { run_id: '3', domain: 'blocked.example', status: 'resolved' },
    ]);
  } finally {
    await store.close();
  }
});

test('an unchanged re-run reuses the diagnosis and its charts; new data recomputes both', async () => {
  const dir = tempDir();
  const s = settings(dir);
  await loadInto(s.db, 'day1', [
    trackingMessage('<m1@corp>', 'ann@blocked.example', '2026-10-01T08:00:00Z'),
    blockedSession('S1', 'blocked.example', '2026-10-01T08:00:05Z'),
    blockedSession('S2', 'blocked.example', '2026-10-01T11:00:05Z'),
  ]);
  const first = await runAudit(s, new Date('2026-10-02T02:00:00Z'));
  const firstReport = comparableReport(first.reportDir);
  assert.equal(firstReport.charts.length, 1);

  const second = await runAudit(s, new Date('2026-10-02T03:00:00Z'));
  assert.equal(second.report.diagnosisReused, true);
  assert.deepEqual(second.report.timelines, first.report.timelines);
  assert.deepEqual(comparableReport(second.reportDir), firstReport);

  // A run recorded before charts were stored (schema 2) has none to lend: they are drawn and stored.
  const store2 = await openStore(s.db);
  await store2.connection.run('DELETE FROM audit_timelines');
  await store2.close();
  const redrawn = await runAudit(s, new Date('2026-10-02T04:00:00Z'));
  assert.equal(redrawn.report.diagnosisReused, true);
  assert.deepEqual(redrawn.report.timelines, first.report.timelines);

  await loadInto(s.db, 'day2', [blockedSession('S3', 'blocked.example', '2026-10-02T09:00:05Z')]);
  const third = await runAudit(s, new Date('2026-10-03T02:00:00Z'));
  assert.equal(third.report.diagnosisReused, false);
  assert.equal(third.report.findings[0].counts.xexch50_blocked, 3);
  const store = await openStore(s.db);
  try {
    const fresh = await domainTimelines(store.connection, ['blocked.example'], { since: null, until: null });
    assert.deepEqual(third.report.timelines, fresh);
    assert.notDeepEqual(fresh, first.report.timelines);
    const stored = await runSql(store.connection, 'SELECT count(*) AS n FROM audit_timelines');
    assert.deepEqual(stored.rows, [{ n: '2' }], 'one per distinct diagnosis');
  } finally {
    await store.close();
  }
});

test('a file in no known format is remembered by path, size and mtime, and read again once changed', async () => {
  const dir = tempDir();
  const s = settings(dir);
  const queueExport = readFileSync(join(REPO, 'fixtures/scenario/HUB01/Queues/get-queue-20070308-0835.csv'));
  const file = join(s.folders[0].path, 'export.csv');
  const stamp = new Date('2026-10-01T00:00:00Z');
  writeFileSync(file, Buffer.alloc(queueExport.length, 'x'));
  utimesSync(file, stamp, stamp);
  const byStatus = async (at: string) => (await runAudit(s, new Date(at))).report.folders[0].byStatus;

  assert.deepEqual(await byStatus('2026-10-02T02:00:00Z'), { unrecognised: 1 });
  // Same size and mtime: not even opened, so the new content goes unseen, as for ingested files.
  writeFileSync(file, queueExport);
  utimesSync(file, stamp, stamp);
  assert.deepEqual(await byStatus('2026-10-03T02:00:00Z'), { unrecognised: 1 });
  const touched = new Date('2026-10-03T12:00:00Z');
  utimesSync(file, touched, touched);
  assert.deepEqual(await byStatus('2026-10-04T02:00:00Z'), { ok: 1 });
  assert.deepEqual(await byStatus('2026-10-05T02:00:00Z'), {});
});
