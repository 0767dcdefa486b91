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
import { readLineSpans, type LineSpans } from '../text/lines.js';
import { SmtpSessionTracker } from '../smtp/sessions.js';
import { IisSessionKeyer } from './session-key.js';
import { toSmtpLine, type IisSmtpRow } from './row.js';

/** A parsed line: a row (which the parser may refill for the next line), null for lines without data (directives, blank lines), or an error message. */
export type RowParse = IisSmtpRow | null | string;

/** Parses line `index` of a batch of lines. */
export type RowParser = (lines: LineSpans, index: number) => RowParse;

/** A RowParser for a format parsed from each line's text. */
export function textRowParser(parse: (text: string) => RowParse): RowParser {
  return (lines, index) => parse(lines.text(index));
}

/** The records of each chunk of lines (a session's record comes with the chunk in which it ended). */
async function* iisSmtpRecordBatches(source: ByteSource, ctx: ReadContext, parse: RowParser): AsyncGenerator<StoredRecord[]> {
  const keyer = new IisSessionKeyer();
  const tracker = new SmtpSessionTracker({ closeOnQuit: true });
  for await (const lines of readLineSpans(source)) {
    const records: StoredRecord[] = [];
    for (let i = 0; i < lines.count; i++) {
      const offset = lines.offset(i);
      const lineNo = lines.firstLineNo + i;
      const replayed = offset < source.emitFrom;
      if (i === lines.truncated) {
        if (!replayed) ctx.issue({ severity: 'error', line: lineNo, offset, message: 'line longer than 1 MiB, dropped', rejected: true });
        continue;
      }
      const parsed = parse(lines, i);
      if (parsed === null) continue;
      if (typeof parsed === 'string') {
        if (!replayed) ctx.issue({ severity: 'error', line: lineNo, offset, message: parsed, rejected: true });
        continue;
      }
      const record = toSmtpLine(parsed, lineNo);
      const assignment = keyer.assign(record);
      if (assignment !== null) {
        const ended = tracker.end(assignment.endedKey, assignment.cause);
        if (ended !== null) records.push(ended);
      }
      const done = tracker.add(record as SmtpLineRecord, replayed);
      for (let k = 0; k < done.length; k++) records.push(done[k]);
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
