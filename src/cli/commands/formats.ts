// `edgelog formats`: the readers, their names for --input-format, and what they read.
import type { Command } from 'commander';
import { READERS } from '../../readers/registry.js';
import { addFormatOption, outputFormat } from '../context.js';
import { printRows } from '../output.js';

export function register(program: Command): void {
  addFormatOption(program.command('formats').description('list the input formats edgelog detects and reads')).action((opts: { format?: string }) => {
    const rows = READERS.map((r) => ({ name: r.name, version: r.version, grows: r.growable, description: r.description }));
    printRows(['name', 'version', 'grows', 'description'], rows, outputFormat(opts.format));
  });
}
