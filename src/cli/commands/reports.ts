// `edgelog reports` lists the canned reports; `edgelog report NAME` runs one with bound parameters.
import type { Command } from 'commander';
import { bindParams, findReport, listReports, ReportError } from '../../reports/catalog.js';
import { runSql } from '../../store/sql.js';
import { EdgelogError } from '../errors.js';
import { addFormatOption, collectKeyValue, outputFormat, withReadable } from '../context.js';
import { printRows } from '../output.js';
import { sqlError } from './query.js';

export function register(program: Command): void {
  const list = program
    .command('reports')
    .description('list the canned reports')
    .option('--reports-dir <dir>', "also list a folder of your own .sql reports");
  addFormatOption(list).action((opts: { reportsDir?: string; format?: string }) => {
    const format = outputFormat(opts.format);
    const rows = guard(() => listReports(opts.reportsDir)).map((r) => ({
      name: r.name,
      description: r.description,
      params: r.params.map((p) => `${p.name}${p.optional ? '?' : ''}:${p.type}`).join(' '),
    }));
    printRows(['name', 'description', 'params'], rows, format);
  });

  const run = program
    .command('report')
    .description('run a canned report')
    .argument('<name>', 'report name (see `edgelog reports`)')
    .option('--param <key=value>', 'report parameter (repeatable)', collectKeyValue, {})
    .option('--since <time>', 'fills the report parameter "since": ISO 8601 (UTC unless an offset is given) or a duration back from now (12h, 7d)')
    .option('--until <time>', 'fills the report parameter "until"')
    .option('--reports-dir <dir>', 'a folder of your own .sql reports')
    .option('--lake <dir>', 'run over a Parquet lake written by `edgelog export --parquet` instead of the store');
  addFormatOption(run).action(
    async (name: string, opts: { param: Record<string, string>; since?: string; until?: string; reportsDir?: string; lake?: string; format?: string }, cmd: Command) => {
      const format = outputFormat(opts.format);
      const report = guard(() => findReport(name, opts.reportsDir));
      const given = { ...opts.param };
      if (opts.since !== undefined) given.since = opts.since;
      if (opts.until !== undefined) given.until = opts.until;
      const bound = guard(() => bindParams(report, given));
      const result = await withReadable(cmd, opts.lake, async (connection) => {
        try {
          return await runSql(connection, report.sql, bound.values, bound.types);
        } catch (error) {
          throw sqlError(error, report.file);
        }
      });
      printRows(result.columns, result.rows, format);
    },
  );
}

function guard<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ReportError) throw new EdgelogError(error.message);
    throw error;
  }
}
