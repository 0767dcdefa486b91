// `--retain-days N`: data rows, audit runs and their findings older than N days before the run are
// deleted (with the chart timelines no remaining run uses), and so are ledger entries whose files
// are gone from disk once none of their rows is left (a ledger entry of a file still on disk stays,
// or the next audit would ingest it again; rows of a deleted file stay until they age out, being
// the only copy of that evidence). The latest audit run is always kept: the next run compares with
// it. Everything happens in one transaction.
import { existsSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from '../store/ddl.js';
import { TABLES } from '../store/records.js';
import { runSql } from '../store/sql.js';
import { inTransaction } from './transaction.js';
import { rebuildDerived } from '../analysis/derived/maintain.js';

export interface RetentionResult {
  /** Rows deleted per table (only tables with deletions). */
  deleted: Record<string, number>;
}

async function changed(connection: DuckDBConnection, sql: string, params: Record<string, string | number>): Promise<number> {
  const reader = await connection.runAndReadAll(sql, params);
  return Number(reader.getRowsJson()[0]?.[0] ?? 0);
}

export async function applyRetention(
  connection: DuckDBConnection,
  cutoffIso: string,
  fileExists: (path: string) => boolean = existsSync,
): Promise<RetentionResult> {
  const deleted: Record<string, number> = {};
  const note = (table: string, n: number) => {
    if (n > 0) deleted[table] = (deleted[table] ?? 0) + n;
  };
  const cutoff = { cutoff: cutoffIso };
  await inTransaction(connection, async () => {
    for (const table of TABLES) {
      const parent = quoteIdent(table.name);
      const time = quoteIdent(table.timeColumn);
      for (const child of 'children' in table ? table.children : []) {
        note(
          child.table,
          await changed(
            connection,
            `DELETE FROM ${quoteIdent(child.table)} c USING ${parent} p
             WHERE c.file_id = p.file_id AND c.seq = p.seq AND p.${time} < $cutoff::TIMESTAMP`,
            cutoff,
          ),
        );
      }
      note(table.name, await changed(connection, `DELETE FROM ${parent} WHERE ${time} < $cutoff::TIMESTAMP`, cutoff));
    }
    // The derived tables sum the data: recomputed once rows are gone (src/analysis/derived).
    if (TABLES.some((t) => deleted[t.name])) await rebuildDerived(connection);
    const oldRuns = `SELECT run_id FROM audit_runs WHERE started_at < $cutoff::TIMESTAMP
                     AND run_id < (SELECT max(run_id) FROM audit_runs)`;
    note('audit_findings', await changed(connection, `DELETE FROM audit_findings WHERE run_id IN (${oldRuns})`, cutoff));
    note('audit_runs', await changed(connection, `DELETE FROM audit_runs WHERE run_id IN (${oldRuns})`, cutoff));
    note('audit_evidence', await changed(connection, 'DELETE FROM audit_evidence WHERE digest NOT IN (SELECT evidence_digest FROM audit_findings)', {}));
    note('audit_timelines', await changed(connection, 'DELETE FROM audit_timelines WHERE diagnosis_key NOT IN (SELECT diagnosis_key FROM audit_runs)', {}));

    const noRowsLeft = TABLES.map((t) => `NOT EXISTS (SELECT 1 FROM ${quoteIdent(t.name)} d WHERE d.file_id = f.file_id)`).join(' AND ');
    const orphans = (await runSql(connection, `SELECT f.file_id, f.path FROM ingest_files f WHERE ${noRowsLeft}`)).rows;
    const gone = orphans.filter((row) => !fileExists(String(row.path))).map((row) => Number(row.file_id));
    for (const fileId of gone) {
      note('ingest_issues', await changed(connection, 'DELETE FROM ingest_issues WHERE file_id = $id', { id: fileId }));
      note('ingest_files', await changed(connection, 'DELETE FROM ingest_files WHERE file_id = $id', { id: fileId }));
    }
  });
  return { deleted };
}
