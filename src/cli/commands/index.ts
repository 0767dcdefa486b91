// Every CLI command module, loaded on demand: each exports `register(program)` and stays thin
// (parses options, calls into src/store, src/readers, src/analysis). Loading only the module of
// the command being run keeps start-up short for nightly and scripted use.
import type { Command } from 'commander';

export interface CommandModule {
  register(program: Command): void;
}

type Loader = () => Promise<CommandModule>;

/** Command name → its module. `reports` and `report` share one. */
export const COMMAND_LOADERS: Readonly<Record<string, Loader>> = {
  ingest: () => import('./ingest.js'),
  status: () => import('./status.js'),
  query: () => import('./query.js'),
  reports: () => import('./reports.js'),
  report: () => import('./reports.js'),
  formats: () => import('./formats.js'),
  dump: () => import('./dump.js'),
  diagnose: () => import('./diagnose.js'),
  audit: () => import('./audit.js'),
  export: () => import('./export.js'),
  schedule: () => import('./schedule.js'),
};

/** The modules needed for this command line: the named command's, or all (help, unknown command). */
export async function loadCommands(commandName: string | undefined): Promise<CommandModule[]> {
  const loader = commandName === undefined ? undefined : COMMAND_LOADERS[commandName];
  if (loader) return [await loader()];
  const unique = [...new Set(Object.values(COMMAND_LOADERS))];
  const modules = await Promise.all(unique.map((load) => load()));
  return [...new Set(modules)];
}
