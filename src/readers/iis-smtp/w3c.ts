// IIS SMTPSVC protocol log, W3C extended format (`exyymmdd.log`): space-separated, any field subset,
// columns bound by name from each `#Fields` (log-formats.md §4.1–4.2). Times are UTC by design of
// the format; rows without a `date` field take the date from `#Date`; rows without `time` have none.
import type { Reader } from '../types.js';
import { headText } from '../text/lines.js';
import { bindColumns, type ColumnIndex } from '../text/directives.js';
import { headDirectives, w3cField, w3cFieldBounds, W3cDirectives, w3cTimestamp } from '../text/w3c.js';
import type { IisSmtpRow } from './row.js';
import { iisSmtpReading, type RowParser } from './stream.js';

const COLUMNS = {
  date: ['date'],
  time: ['time'],
  clientIp: ['c-ip'],
  username: ['cs-username'],
  computer: ['s-computername'],
  serverIp: ['s-ip'],
  serverPort: ['s-port'],
  method: ['cs-method'],
  query: ['cs-uri-query'],
  status: ['sc-status'],
  scBytes: ['sc-bytes'],
  csBytes: ['cs-bytes'],
  host: ['cs-host'],
} as const;

/** Marks of an SMTP (not HTTP/FTP) IIS log in the first bytes. */
const SMTP_MARKS = /SMTPSVC\d*|OutboundConnection(?:Command|Response)| SMTP(?: |$)/m;

function makeParser(): RowParser {
  const directives = new W3cDirectives(' ');
  let bounds = new Int32Array(64);
  let generation = -1;
  let at: ColumnIndex<keyof typeof COLUMNS> = bindColumns([], COLUMNS);
  let fieldCount = 0;
  let defaultDate: string | null = null;

  return (line) => {
    const text = line.text;
    if (text.length === 0 || directives.accept(text, line.lineNo)) return null;
    const { fields, fieldsLine } = directives.header;
    if (fields === null) return 'data line before any #Fields directive';
    if (generation !== directives.generation) {
      generation = directives.generation;
      at = bindColumns(fields, COLUMNS);
      fieldCount = fields.length;
      if (bounds.length < 2 * fieldCount) bounds = new Int32Array(2 * fieldCount);
      defaultDate = directives.header.date?.split(' ')[0] ?? null;
    }
    const count = w3cFieldBounds(text, ' ', bounds);
    if (count !== fieldCount) return `expected ${fieldCount} fields (#Fields on line ${fieldsLine}), found ${count}`;
    let time: bigint | null = null;
    const timeText = w3cField(text, bounds, at.time);
    if (timeText !== null) {
      const dateText = w3cField(text, bounds, at.date) ?? defaultDate;
      time = dateText === null ? null : w3cTimestamp(dateText, timeText);
      if (time === null) return `field date/time: not a W3C date and time: "${dateText ?? ''} ${timeText}"`;
    }
    const row: IisSmtpRow = {
      time,
      clientIp: w3cField(text, bounds, at.clientIp),
      username: w3cField(text, bounds, at.username),
      computer: w3cField(text, bounds, at.computer),
      serverIp: w3cField(text, bounds, at.serverIp),
      serverPort: w3cField(text, bounds, at.serverPort),
      method: w3cField(text, bounds, at.method),
      query: w3cField(text, bounds, at.query),
      status: w3cField(text, bounds, at.status),
      scBytes: w3cField(text, bounds, at.scBytes),
      csBytes: w3cField(text, bounds, at.csBytes),
      host: w3cField(text, bounds, at.host),
    };
    return row;
  };
}

export const iisSmtpW3cReader: Reader = {
  name: 'iis-smtp-w3c',
  version: '1',
  description: 'Exchange 2000/2003 (IIS SMTPSVC) SMTP protocol log, W3C extended format (exyymmdd.log)',
  growable: true,
  sniff(head) {
    const { software, fieldsLine, firstDataLine } = headDirectives(head);
    if (fieldsLine === null || fieldsLine.includes('\t')) return false;
    if (software !== null && !/Internet Information Serv/i.test(software)) return false;
    if (!/\bcs-method\b|\bcs-username\b/.test(fieldsLine)) return false;
    return firstDataLine !== null && SMTP_MARKS.test(headText(head));
  },
  ...iisSmtpReading((ctx) => {
    ctx.timeRule('W3C date/time: UTC as logged');
    return makeParser();
  }),
};
