// `edgelog query SQL | -f FILE.sql`: ad-hoc SQL against the store, opened read-only.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { runSql } from '../../store/sql.js';
import { EdgelogError } from '../errors.js';
import { addFormatOption, outputFormat, withReadable } from '../context.js';
import { printRows } from '../output.js';

export function register(program: Command): void {
  const command = program
    .command('query')
    .description('run SQL against the store (read-only)')
    .argument('[sql]', 'the SQL to run')
    .option('-f, --file <file.sql>', 'read the SQL from a file')
    .option('--lake <dir>', 'query a Parquet lake written by `edgelog export --parquet` instead of the store');
  addFormatOption(command).action(async (sql: string | undefined, opts: { file?: string; lake?: string; format?: string }, cmd: Command) => {
    const format = outputFormat(opts.format);
    const text = sqlText(sql, opts.file);
    const result = await withReadable(cmd, opts.lake, async (connection) => {
      try {
        return await runSql(connection, text);
      } catch (error) {
        throw sqlError(error, opts.file ?? 'query');
      }
    });
    printRows(result.columns, result.rows, format);
  });
}

function sqlText(sql: string | undefined, file: string | undefined): string {
  if (sql !== undefined && file !== undefined) throw new EdgelogError('give the SQL either as an argument or with -f, not both');
  if (file !== undefined) {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new EdgelogError(`-f ${file}: ${(error as Error).message}`);
    }
  }
  if (sql === undefined || sql.trim() === '') throw new EdgelogError('no SQL given (argument or -f FILE.sql)');
  return sql;
}

/** DuckDB's message, first line, named after where the SQL came from. */
export function sqlError(error: unknown, source: string): EdgelogError {
  const message = (error as Error).message ?? String(error);
  if (/read-only mode|read only/i.test(message)) {
    return new EdgelogError(`${source}: the store is opened read-only for queries; statements that write are refused`);
  }
  return new EdgelogError(`${source}: ${message.split('\n')[0]}`);
}
