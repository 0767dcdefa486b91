// `edgelog ingest PATH...`: files, folders (recursive) and globs into the store.
import type { Command } from 'commander';
import { ingestPaths, type IngestSummary } from '../../store/ingest.js';
import { EdgelogError, EXIT_ERROR, EXIT_OK } from '../errors.js';
import { outputFormat, withStore, zoneOption } from '../context.js';
import { OUTPUT_FORMATS, printRows } from '../output.js';
import { createProgress } from '../progress.js';

export function register(program: Command): void {
  const command = program
    .command('ingest')
    .description('load log files, folders (recursive) or globs into the store; formats are detected by content')
    .argument('<paths...>', 'files, folders or glob patterns')
    .option(
      '--format <name>',
      'a reader name forces that input format (see `edgelog formats`); table|csv|json|jsonl|md sets the summary output; repeatable',
      collect,
      [],
    )
    .option('--tz <zone>', 'time zone of formats that log local time: IANA name (America/New_York) or offset (-05:00)')
    .option('--recover', 'EVTX: also carve records from chunk slack (flagged recovered)')
    .option(
      '--defer-derived',
      "load only: the diagnosis' derived tables take these files in at the next ingest or command (to load many big files in several runs)",
    );
  command.action(async (paths: string[], opts: { format: string[]; tz?: string; recover?: boolean; deferDerived?: boolean }, cmd: Command) => {
    const { input, output } = splitFormats(opts.format);
    const format = outputFormat(output);
    const tz = zoneOption(opts.tz);
    const progress = createProgress();
    const summaries = await withStore(cmd, false, (store) =>
      ingestPaths(store, paths, {
        format: input,
        tz,
        recover: opts.recover ?? false,
        derive: !opts.deferDerived,
        onProgress: (path, done, total) => progress.update(path, done, total),
      }),
    );
    progress.done();
    for (const s of summaries) {
      if (s.status === 'unrecognised' && !s.explicit) process.stderr.write(`skipped ${s.path}: not a format edgelog reads\n`);
    }
    const shown = summaries.filter((s) => s.status !== 'unrecognised' || s.explicit);
    printRows(COLUMNS, shown.map(row), format);
    for (const s of shown) {
      if (isError(s)) process.stderr.write(`error: ${s.path}: ${s.message ?? s.status}\n`);
    }
    process.exitCode = shown.some(isError) ? EXIT_ERROR : EXIT_OK;
  });
}

const COLUMNS = ['file', 'format', 'status', 'records', 'rejected', 'issues', 'note'];

function row(s: IngestSummary) {
  const note = s.appended ? 'appended tail only' : s.message;
  return { file: s.path, format: s.format, status: s.status === 'duplicate' ? 'skipped-duplicate' : s.status, records: s.records, rejected: s.rejected, issues: s.issues, note };
}

/** A file named explicitly that cannot be read is an error; so is a failed ingest. */
function isError(s: IngestSummary): boolean {
  return s.status === 'failed' || s.status === 'missing' || (s.status === 'unrecognised' && s.explicit);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Reader names never collide with output format names, so one --format option serves both. */
function splitFormats(values: string[]): { input?: string; output?: string } {
  const outputs = values.filter((v) => (OUTPUT_FORMATS as readonly string[]).includes(v));
  const inputs = values.filter((v) => !outputs.includes(v));
  if (outputs.length > 1 || inputs.length > 1) throw new EdgelogError(`--format given twice for the same purpose: ${values.join(', ')}`);
  return { input: inputs[0], output: outputs[0] };
}
