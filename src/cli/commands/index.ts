// Every CLI command module. Each exports `register(program)` and stays thin: it parses options and
// calls into src/store, src/readers, src/analysis.
import type { Command } from 'commander';
import * as ingest from './ingest.js';
import * as status from './status.js';
import * as query from './query.js';
import * as reports from './reports.js';
import * as formats from './formats.js';
import * as dump from './dump.js';
import * as diagnose from './diagnose.js';
import * as audit from './audit.js';
import * as exportCommand from './export.js';
import * as schedule from './schedule.js';

export interface CommandModule {
  register(program: Command): void;
}

export const COMMANDS: readonly CommandModule[] = [ingest, status, query, reports, formats, dump, diagnose, audit, exportCommand, schedule];
