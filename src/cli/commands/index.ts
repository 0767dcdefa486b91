// Every CLI command module. Each exports `register(program)` and stays thin: it parses options and
// calls into src/store, src/readers, src/analysis.
import type { Command } from 'commander';

export interface CommandModule {
  register(program: Command): void;
}

export const COMMANDS: readonly CommandModule[] = [];
