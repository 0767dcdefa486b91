// The loop shared by the three IIS SMTPSVC readers: lines → rows (format-specific parser) → smtp_lines
// records with derived session keys → smtp_sessions records.
//
// emitFrom: every line is parsed (directives, session state), but only lines at or after
// `source.emitFrom` yield smtp_lines rows or issues; a session is yielded only when all its lines
// are in that new part, so re-ingesting a grown log never duplicates a session. A session that was
// still open when the earlier ingest ended was emitted then (end_reason `open`) and its continuation
// in the appended part is not emitted again.
import type { ByteSource, ReadContext, Reader, StoredRecord } from '../types.js';
import { itemsOf } from '../batched.js';
import type { SmtpLineRecord } from '../../store/records.js';
import { readLineBatches, type TextLine } from '../text/lines.js';
import { SmtpSessionTracker } from '../smtp/sessions.js';
import { IisSessionKeyer } from './session-key.js';
import { toSmtpLine, type IisSmtpRow } from './row.js';

/** A parsed line: a row, null for lines without data (directives, blank lines), or an error message. */
export type RowParse = IisSmtpRow | null | string;

export type RowParser = (line: TextLine) => RowParse;

/** The records of each chunk of lines (a session's record comes with the chunk in which it ended). */
async function* iisSmtpRecordBatches(source: ByteSource, ctx: ReadContext, parse: RowParser): AsyncGenerator<StoredRecord[]> {
  const keyer = new IisSessionKeyer();
  const tracker = new SmtpSessionTracker({ closeOnQuit: true });
  for await (const lines of readLineBatches(source)) {
    const records: StoredRecord[] = [];
    for (const line of lines) {
      const replayed = line.offset < source.emitFrom;
      if (line.truncated) {
        if (!replayed) ctx.issue({ severity: 'error', line: line.lineNo, offset: line.offset, message: 'line longer than 1 MiB, dropped', rejected: true });
        continue;
      }
      const parsed = parse(line);
      if (parsed === null) continue;
      if (typeof parsed === 'string') {
        if (!replayed) ctx.issue({ severity: 'error', line: line.lineNo, offset: line.offset, message: parsed, rejected: true });
        continue;
      }
      const record = toSmtpLine(parsed, line.lineNo);
      const assignment = keyer.assign(record);
      if (assignment !== null) {
        const ended = tracker.end(assignment.endedKey, assignment.cause);
        if (ended !== null) records.push(ended);
      }
      const done = tracker.add(record as SmtpLineRecord, replayed);
      for (let i = 0; i < done.length; i++) records.push(done[i]);
      if (!replayed) records.push(record as SmtpLineRecord);
    }
    yield records;
  }
  yield tracker.finish();
}

/** `read` and `readBatches` of an IIS SMTPSVC reader, from its row parser (made per file: it may hold directive state). */
export function iisSmtpReading(makeParser: (ctx: ReadContext) => RowParser): Pick<Reader, 'read' | 'readBatches'> {
  const readBatches = (source: ByteSource, ctx: ReadContext) => iisSmtpRecordBatches(source, ctx, makeParser(ctx));
  return { readBatches, read: (source, ctx) => itemsOf(readBatches(source, ctx)) };
}
