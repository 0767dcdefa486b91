// An audit killed with SIGKILL at each of its phases (the child freezes at a named point via
// EDGELOG_AUDIT_HOLD, then is killed for real): the database opens, no file has rows without a
// completed ledger entry or with a different count than the ledger says, no report folder appears,
// and the next audit takes over the stale lock and ends with exactly the row counts of an audit
// that was never interrupted. Also: a second audit while one runs exits 2 with the lock message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HOLD_ENV } from '../../src/audit/hold.js';
import { lockPathFor } from '../../src/audit/lock.js';
import { TABLES } from '../../src/store/records.js';
import { runSql } from '../../src/store/sql.js';
import { openStore } from '../../src/store/store.js';
import { CLI, CORPUS, REPO, runCli, tempDir } from '../helpers/cli.js';

/** Text logs of every kind plus one 2 MiB EVTX (first in order, so `ingesting:1` is mid-EVTX). */
function makeDrop(dir: string): string {
  const drop = join(dir, 'drop');
  mkdirSync(drop, { recursive: true });
  copyFileSync(join(CORPUS, 'evtx/classic-many-events-application.evtx'), join(drop, 'a-big.evtx'));
  cpSync(join(REPO, 'fixtures/text'), join(drop, 'text'), { recursive: true });
  return drop;
}

const ALL_TABLES = TABLES.flatMap((t) => [t.name, ...('children' in t ? t.children.map((c) => c.table) : [])]);

async function tableCounts(db: string): Promise<Record<string, number>> {
  const store = await openStore(db);
  try {
    const counts: Record<string, number> = {};
    for (const table of [...ALL_TABLES, 'audit_runs']) {
      counts[table] = Number((await runSql(store.connection, `SELECT count(*) AS n FROM "${table}"`)).rows[0].n);
    }
    counts.completed_files = Number(
      (await runSql(store.connection, "SELECT count(DISTINCT path) AS n FROM ingest_files WHERE status IN ('ok', 'partial')")).rows[0].n,
    );
    return counts;
  } finally {
    await store.close();
  }
}

/** Every data row belongs to a completed ledger entry, and each entry has exactly the rows it claims. */
async function assertNoPartialFiles(db: string, label: string): Promise<void> {
  const store = await openStore(db);
  try {
    const union = TABLES.map((t) => `SELECT file_id FROM "${t.name}"`).join(' UNION ALL ');
    const rows = (
      await runSql(
        store.connection,
        `SELECT f.file_id, f.status, f.records_stored, count(d.file_id) AS actual
           FROM ingest_files f LEFT JOIN (${union}) d USING (file_id) GROUP BY ALL
         UNION ALL
         SELECT d.file_id, NULL, NULL, count(*) FROM (${union}) d
          WHERE d.file_id NOT IN (SELECT file_id FROM ingest_files) GROUP BY ALL`,
      )
    ).rows;
    for (const r of rows) {
      const completed = r.status === 'ok' || r.status === 'partial';
      assert.equal(Number(r.actual), completed ? Number(r.records_stored) : 0, `${label}: file ${r.file_id} (${r.status}) has ${r.actual} rows`);
    }
    const duplicates = (
      await runSql(store.connection, "SELECT path, count(*) AS n FROM ingest_files WHERE status IN ('ok', 'partial') GROUP BY path HAVING n > 1")
    ).rows;
    assert.deepEqual(duplicates, [], `${label}: a file completed twice`);
  } finally {
    await store.close();
  }
}

interface Held {
  pid: number;
  kill(): Promise<void>;
}

/** Starts an audit that freezes at `phase`; resolves once it says so. */
function auditHeldAt(args: string[], phase: string): Promise<Held> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, [HOLD_ENV]: phase }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.once('exit', (code) => reject(new Error(`audit exited (${code}) before reaching ${phase}: ${stderr}`)));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.includes(`holding at ${phase}`)) {
        resolve({
          pid: child.pid!,
          kill: async () => {
            child.kill('SIGKILL');
            await exited;
          },
        });
      }
    });
  });
}

const visibleReports = (out: string) => (existsSync(out) ? readdirSync(out).filter((n) => !n.startsWith('.')) : []);

test('kill -9 at every phase leaves a consistent store and the next audit completes with exact counts', async () => {
  const reference = tempDir();
  const refDrop = makeDrop(reference);
  const refDb = join(reference, 'ref.duckdb');
  const clean = await runCli(['--db', refDb, 'audit', refDrop, '--out', join(reference, 'reports')]);
  assert.ok(clean.code === 0 || clean.code === 1, clean.stderr);
  const expected = await tableCounts(refDb);
  assert.ok(expected.events > 1000 && expected.tracking > 0 && expected.smtp_lines > 0, JSON.stringify(expected));

  for (const phase of ['locked', 'ingesting:1', 'ingesting:5', 'ingested', 'diagnosed', 'staged', 'recorded']) {
    const dir = tempDir();
    const drop = makeDrop(dir);
    const db = join(dir, 'edge.duckdb');
    const out = join(dir, 'reports');
    const args = ['--db', db, 'audit', drop, '--out', out];
    const held = await auditHeldAt(args, phase);
    await held.kill();

    assert.ok(existsSync(lockPathFor(db)), `${phase}: the killed run leaves its lock behind`);
    assert.deepEqual(visibleReports(out), [], `${phase}: no report folder from a killed run`);
    if (existsSync(db)) await assertNoPartialFiles(db, phase);

    const next = await runCli(args);
    assert.ok(next.code === 0 || next.code === 1, `${phase}: ${next.stderr}`);
    assert.equal(existsSync(lockPathFor(db)), false, `${phase}: lock released`);
    await assertNoPartialFiles(db, `${phase}, after the next run`);
    const counts = await tableCounts(db);
    const runs = phase === 'recorded' ? 2 : 1;
    assert.deepEqual(counts, { ...expected, audit_runs: runs }, phase);
    assert.match(next.stdout, new RegExp(`^audit run ${runs}: `), phase);
    assert.deepEqual(visibleReports(out).length, 1, phase);
  }
});

test('a second audit while one runs exits 2 at once with the lock message', async () => {
  const dir = tempDir();
  const db = join(dir, 'edge.duckdb');
  const args = ['--db', db, 'audit', join(REPO, 'fixtures/text/msgtrk'), '--out', join(dir, 'reports')];
  const held = await auditHeldAt(args, 'ingested');
  try {
    const second = await runCli(args);
    assert.equal(second.code, 2);
    assert.match(second.stderr, new RegExp(`^error: another audit is running on this database \\(pid ${held.pid} on [^,]+, started [0-9T:.-]+Z\\); lock file ${lockPathFor(db).replace(/[.]/g, '\\.')}\\n$`));
    assert.equal(second.stdout, '');
  } finally {
    await held.kill();
  }
  const after = await runCli(args);
  assert.equal(after.stderr, '');
  assert.match(after.stdout, /^audit run 1: /);
  assert.equal(existsSync(lockPathFor(db)), false);
});
