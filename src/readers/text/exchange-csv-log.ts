// The CSV log framing shared by Exchange 2007+ message-tracking and SMTP protocol logs
// (log-formats.md §5.1, §6.1): `#Software`, `#Version`, `#Log-type`, `#Date`, `#Fields` directives,
// then comma-separated, double-quoted rows. A new directive block (after a restart) re-binds columns.
import type { ByteSource, ReadContext } from '../types.js';
import { readCsv } from './csv.js';
import { headText } from './lines.js';
import { parseDirective } from './directives.js';

export interface ExchangeLogHeader {
  software: string | null;
  version: string | null;
  logType: string | null;
  /** Names from the latest `#Fields` line; null before the first one. */
  fields: readonly string[] | null;
  /** Bumped at every `#Fields` line, so readers know when to re-bind columns. */
  generation: number;
}

export interface ExchangeLogRow {
  fields: string[];
  lineNo: number;
  offset: number;
  /** The row lies before `source.emitFrom`: ingested earlier, yielded only for context (sessions). */
  replayed: boolean;
  header: ExchangeLogHeader;
}

/** The `#Log-type` of an Exchange 2007+ CSV log from its first bytes, or null when it is not one. */
export function exchangeLogType(head: Buffer): string | null {
  const text = headText(head);
  if (!/^#Software: Microsoft Exchange Server\s*$/m.test(text)) return null;
  const m = /^#Log-type:[ \t]*(.+?)[ \t]*$/m.exec(text);
  return m ? m[1] : null;
}

/**
 * Streams the data rows of an Exchange CSV log with the header in force at each row. Rows before any
 * `#Fields` line, rows with more fields than declared and unparsable quoting are skipped and, unless
 * they lie before `source.emitFrom` (reported by an earlier ingest), reported to `ctx` as rejected.
 * Rows before emitFrom are yielded with `replayed` set. The yielded row and its `fields` are reused.
 */
export async function* readExchangeCsvLog(source: ByteSource, ctx: ReadContext): AsyncGenerator<ExchangeLogRow> {
  const header: ExchangeLogHeader = { software: null, version: null, logType: null, fields: null, generation: 0 };
  const row: ExchangeLogRow = { fields: [], lineNo: 0, offset: 0, replayed: false, header };
  for await (const item of readCsv(source, { delimiter: ',' })) {
    if (item.kind === 'directive') {
      const directive = parseDirective(item.text);
      if (!directive) continue;
      switch (directive.name.toLowerCase()) {
        case 'software':
          header.software = directive.value;
          break;
        case 'version':
          header.version = directive.value;
          break;
        case 'log-type':
          header.logType = directive.value;
          break;
        case 'fields':
          header.fields = directive.value.split(',').map((name) => name.trim());
          header.generation++;
          break;
      }
      continue;
    }
    const replayed = item.offset < source.emitFrom;
    if (item.kind === 'malformed') {
      if (replayed) continue;
      ctx.issue({ severity: 'error', line: item.lineNo, offset: item.offset, message: `line ${item.lineNo}: ${item.message}`, rejected: true });
      continue;
    }
    if (header.fields === null) {
      if (replayed) continue;
      ctx.issue({ severity: 'error', line: item.lineNo, offset: item.offset, message: `line ${item.lineNo}: data row before any #Fields line`, rejected: true });
      continue;
    }
    if (item.fields.length > header.fields.length) {
      if (replayed) continue;
      ctx.issue({
        severity: 'error',
        line: item.lineNo,
        offset: item.offset,
        message: `line ${item.lineNo}: ${item.fields.length} fields, #Fields declares ${header.fields.length}`,
        rejected: true,
      });
      continue;
    }
    row.fields = item.fields;
    row.lineNo = item.lineNo;
    row.offset = item.offset;
    row.replayed = replayed;
    yield row;
  }
}
