// `edgelog export --parquet DIR [--since T]`: the store as a Hive-partitioned Parquet lake
// (src/export/parquet.ts), readable by DuckDB, Spark, Trino or Athena, and by `edgelog query --lake`.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { nanosFromDate, parseWindowBound, windowProblem } from '../../util/time-window.js';
import { exportParquet } from '../../export/parquet.js';
import { addFormatOption, outputFormat, withStore } from '../context.js';
import { EdgelogError } from '../errors.js';
import { printRows } from '../output.js';

export function register(program: Command): void {
  const command = program
    .command('export')
    .description('write every table as Parquet, Hive-partitioned by source kind and day, for DuckDB/Spark/Trino/Athena or `query --lake`')
    .requiredOption('--parquet <dir>', 'the lake folder (created; tables in it are replaced)')
    .option('--since <when>', 'only rows from the day of this time on (7d, 12h back from now, or an ISO time); earlier days in DIR stay');
  addFormatOption(command);
  command.action(async (opts: { parquet: string; since?: string; format?: string }, cmd: Command) => {
    const format = outputFormat(opts.format);
    let since: bigint | null = null;
    if (opts.since !== undefined) {
      since = parseWindowBound(opts.since, nanosFromDate(new Date()));
      if (since === null) throw new EdgelogError(`--since: ${windowProblem(opts.since)}`);
    }
    const lake = resolve(opts.parquet);
    const tables = await withStore(cmd, true, (store) => exportParquet(store.connection, lake, { since, database: store.path }));
    printRows(
      ['table', 'rows', 'partitioned_by'],
      tables.map((t) => ({ table: t.table, rows: t.rows, partitioned_by: t.partitionBy.join('/') })),
      format,
    );
  });
}
