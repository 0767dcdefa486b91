// Per file and data table: rows, rows with a time, and the first and last time (ns). Diagnose takes
// the span of the evidence and which sides (sender, firewall) are present from here instead of
// scanning every table's time column.
import { TABLES } from '../../store/records.js';
import { quoteIdent } from '../../store/ddl.js';
import { literal, type Scope } from './sql-text.js';

export function fileSpansSelect(scope: Scope): string {
  return TABLES.map((table) => {
    const time = quoteIdent(table.timeColumn);
    return `SELECT file_id, ${literal(table.name)} AS source, count(*) AS rows, count(${time}) AS timed,
                   epoch_ns(min(${time})) AS first_ns, epoch_ns(max(${time})) AS last_ns
              FROM ${quoteIdent(table.name)} d WHERE ${scope('d')} GROUP BY file_id`;
  }).join('\nUNION ALL\n');
}
