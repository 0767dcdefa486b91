// `edgelog status`: what the store holds — files per format, rows and time span per table, problems.
import type { Command } from 'commander';
import { TABLES } from '../../store/records.js';
import { quoteIdent } from '../../store/ddl.js';
import { runSql } from '../../store/sql.js';
import { addFormatOption, outputFormat, withStore } from '../context.js';
import { formatRows, type Row } from '../output.js';

export function register(program: Command): void {
  addFormatOption(program.command('status').description('summarise what the store holds')).action(async (opts: { format?: string }, cmd: Command) => {
    const format = outputFormat(opts.format);
    const sections = await withStore(cmd, true, async (store) => {
      const files = await runSql(
        store.connection,
        `SELECT format, count(*) AS files,
                count(*) FILTER (WHERE status = 'ok') AS ok,
                count(*) FILTER (WHERE status = 'partial') AS partial,
                count(*) FILTER (WHERE status = 'failed') AS failed,
                sum(records_stored) AS records, sum(records_rejected) AS rejected,
                min(first_time) AS first_time, max(last_time) AS last_time
         FROM ingest_files GROUP BY format ORDER BY format`,
      );
      const tables = await runSql(
        store.connection,
        TABLES.map(
          (t) =>
            `SELECT '${t.name}' AS "table", count(*) AS "rows", min(${quoteIdent(t.timeColumn)})::VARCHAR AS first_time, max(${quoteIdent(t.timeColumn)})::VARCHAR AS last_time FROM ${quoteIdent(t.name)}`,
        ).join(' UNION ALL ') + ' ORDER BY 1',
      );
      const problems = await runSql(
        store.connection,
        `SELECT f.path, i.severity, count(*) AS issues, first(coalesce('line ' || i.line_no || ': ', 'offset ' || i.byte_offset || ': ', '') || i.message ORDER BY i.line_no, i.byte_offset) AS first
         FROM ingest_issues i JOIN ingest_files f USING (file_id) GROUP BY ALL ORDER BY f.path, i.severity`,
      );
      return { files, tables, problems };
    });
    if (format === 'json' || format === 'jsonl') {
      const doc = { files: sections.files.rows, tables: sections.tables.rows, problems: sections.problems.rows };
      process.stdout.write(format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : `${JSON.stringify(doc)}\n`);
      return;
    }
    const titled = (title: string, columns: string[], rows: Row[]) =>
      (format === 'csv' ? '' : `${format === 'md' ? '## ' : ''}${title}\n`) + formatRows(columns, rows, format);
    process.stdout.write(
      [
        titled('Files by format', sections.files.columns, sections.files.rows),
        titled('Tables', sections.tables.columns, sections.tables.rows),
        sections.problems.rows.length > 0 ? titled('Problems', sections.problems.columns, sections.problems.rows) : 'No problems recorded.\n',
      ].join('\n'),
    );
  });
}
