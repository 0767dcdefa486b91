#!/usr/bin/env node
// edgelog's entry point: global options, the commands, and one place that turns errors into
// one clear line and an exit code (0 ok, 1 findings, 2 usage or runtime error).
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { loadCommands, type CommandModule } from './commands/index.js';
import { EdgelogError, EXIT_ERROR } from './errors.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function buildProgram(commands: readonly CommandModule[]): Command {
  const program = new Command('edgelog')
    .description('Mail-edge log analyzer: event logs, Exchange tracking, SMTP, queue and ISA logs into DuckDB; KB818222 diagnosis')
    .version(version)
    .option('--db <file>', 'the DuckDB store (default: $EDGELOG_DB or ./edgelog.duckdb)')
    .option('--debug', 'print stack traces on errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const command of commands) command.register(program);
  for (const sub of program.commands) sub.exitOverride();
  return program;
}

async function main(argv: string[]): Promise<void> {
  const debug = argv.includes('--debug');
  const program = buildProgram(await loadCommands(commandName(argv.slice(2))));
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end with exit code 0; every usage error is 2.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_ERROR;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message.split('\n')[0]}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = error instanceof EdgelogError ? error.exitCode : EXIT_ERROR;
  }
}

/** The first argument that is neither a global option nor its value. */
function commandName(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--db') i++;
    else if (!args[i].startsWith('-')) return args[i];
  }
  return undefined;
}

await main(process.argv);
