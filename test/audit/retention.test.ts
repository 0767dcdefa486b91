// --retain-days: rows older than the cutoff go (children with their parents), audit runs too except
// the latest (with the chart timelines only they used), and ledger entries go only when their file
// is gone and none of their rows is left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordRun } from '../../src/audit/history.js';
import { applyRetention } from '../../src/audit/retention.js';
import { inTransaction } from '../../src/audit/transaction.js';
import { runSql } from '../../src/store/sql.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../helpers/cli.js';
import { loadInto, record, t, trackingMessage } from './small-store.js';

const event = (at: string, id: number) =>
  record('events', { record_id: id, time_created: t(at), provider: 'SmtpEvt', event_id: 20031, data: [{ name: 'a', value: 'x' }, { name: 'b', value: 'y' }] });

test('retention deletes old rows, old runs and the ledger entries of vanished, emptied files', async () => {
  const dir = tempDir();
  const db = join(dir, 'r.duckdb');
  const kept = join(dir, 'still-here.log');
  writeFileSync(kept, 'x');
  await loadInto(db, kept, [trackingMessage('<a@x>', 'a@old.example', '2026-01-01T00:00:00Z'), event('2026-01-01T00:00:01Z', 1)]);
  await loadInto(db, '/gone/old-only.log', [trackingMessage('<b@x>', 'b@old.example', '2026-01-02T00:00:00Z')]);
  await loadInto(db, '/gone/mixed.log', [
    trackingMessage('<c@x>', 'c@old.example', '2026-01-03T00:00:00Z'),
    trackingMessage('<d@x>', 'd@new.example', '2026-07-01T00:00:00Z'),
    event('2026-07-01T00:00:01Z', 2),
  ]);
  const store = await openStore(db);
  try {
    const { connection } = store;
    for (const [runId, startedAt] of [[1, '2026-01-05T02:00:00Z'], [2, '2026-02-05T02:00:00Z'], [3, '2026-03-05T02:00:00Z']] as const) {
      await inTransaction(connection, () =>
        recordRun(connection, {
          runId, startedAt, finishedAt: startedAt, windowSince: null, windowUntil: null, failOn: 'low', exitCode: 0, configPath: null,
          outDir: '/r', inputs: [], filesIngested: 0, filesUnchanged: 0, filesFailed: 0, diagnosisKey: `k${runId}`, notes: [], timelines: [], storedEvidence: null,
          findings: [{
            domain: 'old.example', verdict: 'healthy', confidence: 'high', summary: 's', counts: { sent: 0, delivered: 0, ndr: 0, undelivered: 0, xexch50_attempts: 0, xexch50_blocked: 0, firewall_events: 0 },
            evidence: {}, remediation: null, first_seen: null, last_seen: null, status: null, first_reported: null,
          }],
        }),
      );
    }
    const result = await applyRetention(connection, '2026-06-01T00:00:00.000000Z');
    assert.deepEqual(result.deleted, {
      tracking: 3,
      events: 1,
      audit_findings: 2,
      audit_runs: 2,
      audit_timelines: 2,
      ingest_files: 1,
    });
    const ledger = (await runSql(connection, 'SELECT path FROM ingest_files ORDER BY file_id')).rows.map((r) => r.path);
    assert.deepEqual(ledger, [kept, '/gone/mixed.log']);
    const left = (await runSql(connection, 'SELECT recipient FROM tracking')).rows.map((r) => r.recipient);
    assert.deepEqual(left, ['d@new.example']);
    assert.deepEqual((await runSql(connection, 'SELECT run_id FROM audit_runs')).rows, [{ run_id: '3' }]);
    assert.deepEqual((await runSql(connection, 'SELECT diagnosis_key FROM audit_timelines')).rows, [{ diagnosis_key: 'k3' }]);
    assert.equal(Number((await runSql(connection, 'SELECT count(*) AS n FROM event_data')).rows[0].n), 2);
  } finally {
    await store.close();
  }
});
