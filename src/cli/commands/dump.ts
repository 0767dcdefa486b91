// `edgelog dump FILE... [--format jsonl|xml] [--recover]`: streams event-log records without a
// database. The format of each file is detected from its content (EVTX, and whatever other event
// readers the registry holds). Problems go to stderr, one line each with file and byte offset.
// Exit code: 0 every file read, 1 records were skipped, 2 a file could not be read at all.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { fileSource } from '../../readers/byte-source.js';
import { XML_DECLARATION, keywordsText, renderEventRecordXml } from '../../readers/eventlog/render-xml.js';
import { decodeEvtx } from '../../readers/evtx/reader.js';
import { SNIFF_BYTES, detectReader } from '../../readers/registry.js';
import type { ReadContext, ReaderIssue } from '../../readers/types.js';
import type { EventRecord } from '../../store/records.js';
import { isoFromNanos } from '../../util/timezone.js';
import { zoneOption } from '../context.js';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from '../errors.js';

type DumpFormat = 'jsonl' | 'xml';

interface DumpOptions {
  format: DumpFormat;
  recover: boolean;
  tz?: string;
}

/** One JSONL object with exactly the keys of the `dump` contract, in that order. */
export function eventJson(r: EventRecord): string {
  return JSON.stringify({
    record_id: r.record_id,
    time_created: r.time_created === null ? null : isoFromNanos(r.time_created, 7),
    provider: r.provider,
    provider_guid: r.provider_guid,
    event_id: r.event_id,
    qualifiers: r.qualifiers,
    version: r.version,
    level: r.level,
    task: r.task,
    opcode: r.opcode,
    keywords: r.keywords === null ? null : keywordsText(r.keywords),
    channel: r.channel,
    computer: r.computer,
    user_sid: r.user_sid,
    process_id: r.process_id,
    thread_id: r.thread_id,
    data: r.data.map((d) => ({ name: d.name, value: d.value })),
    binary: r.binary === null ? null : Buffer.from(r.binary.buffer, r.binary.byteOffset, r.binary.length).toString('hex'),
    recovered: r.recovered === true,
  });
}

/**
 * Batches output lines and honours backpressure, so dumping a large file stays in bounded memory.
 * A reader that goes away (`dump … | head`) ends the dump quietly.
 */
class LineWriter {
  private pending = '';
  closed = false;

  constructor(private readonly out: Writable) {
    out.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      this.closed = true;
    });
  }

  async line(text: string): Promise<void> {
    this.pending += `${text}\n`;
    if (this.pending.length >= 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0 || this.closed) return;
    const ok = this.out.write(this.pending);
    this.pending = '';
    if (ok) return;
    try {
      await once(this.out, 'drain');
    } catch (error) {
      // once() rejects on 'error'; EPIPE was recorded by the listener above.
      if (!this.closed) throw error;
    }
  }
}

function issueLine(file: string, issue: ReaderIssue): string {
  const where = issue.offset !== undefined ? `offset ${issue.offset}` : issue.line !== undefined ? `line ${issue.line}` : 'file';
  return `${file}: ${where}: ${issue.severity}: ${issue.message}\n`;
}

async function* records(path: string, options: DumpOptions, ctx: ReadContext): AsyncIterable<string> {
  const source = await fileSource(path);
  const reader = detectReader(await source.readAt(0, SNIFF_BYTES));
  if (!reader) throw new Error('not an event log edgelog can read (unknown format)');
  if (reader.name === 'evtx' && options.format === 'xml') {
    for await (const decoded of decodeEvtx(source, ctx, true)) yield decoded.xml ?? renderEventRecordXml(decoded.record);
    return;
  }
  for await (const record of reader.read(source, ctx)) {
    if (record.table !== 'events') throw new Error(`a ${reader.name} file holds no event-log records`);
    yield options.format === 'xml' ? renderEventRecordXml(record) : eventJson(record);
  }
}

/** Dumps every file in turn; returns the exit code. */
export async function dumpFiles(paths: readonly string[], options: DumpOptions, out: Writable, err: Writable): Promise<number> {
  const writer = new LineWriter(out);
  const tz = zoneOption(options.tz);
  let exitCode = EXIT_OK;
  if (options.format === 'xml') await writer.line(`${XML_DECLARATION}\n<Events>`);
  for (const path of paths) {
    if (writer.closed) break;
    let rejected = false;
    let failed = false;
    let count = 0;
    const ctx: ReadContext = {
      tz,
      recover: options.recover,
      issue(issue) {
        if (issue.rejected) rejected = true;
        err.write(issueLine(path, issue));
      },
      timeRule() {},
    };
    try {
      for await (const line of records(path, options, ctx)) {
        await writer.line(line);
        count++;
        if (writer.closed) break;
      }
    } catch (error) {
      failed = true;
      err.write(`${path}: error: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    const unreadable = failed || (rejected && count === 0);
    exitCode = Math.max(exitCode, unreadable ? EXIT_ERROR : rejected ? EXIT_FINDINGS : EXIT_OK);
  }
  if (options.format === 'xml') await writer.line('</Events>');
  await writer.flush();
  return exitCode;
}

export function register(program: Command): void {
  program
    .command('dump')
    .description('print the records of event-log files (EVTX, EVT, Event Viewer exports) without a database')
    .argument('<files...>', 'event-log files')
    .option('--format <format>', 'jsonl (one object per record) or xml (as Windows exports it)', 'jsonl')
    .option('--recover', 'EVTX: also carve deleted records from chunk slack (flagged recovered)', false)
    .option('--tz <zone>', 'zone of local times in Event Viewer CSV/TXT exports (IANA name or ±hh:mm)')
    .action(async (files: string[], opts: { format: string; recover: boolean; tz?: string }) => {
      if (opts.format !== 'jsonl' && opts.format !== 'xml') {
        process.stderr.write(`error: --format ${opts.format}: expected jsonl or xml\n`);
        process.exitCode = EXIT_ERROR;
        return;
      }
      process.exitCode = await dumpFiles(files, { format: opts.format, recover: opts.recover, tz: opts.tz }, process.stdout, process.stderr);
    });
}
