// IIS SMTPSVC protocol log, W3C extended format (`exyymmdd.log`): space-separated, any field subset,
// columns bound by name from each `#Fields` (log-formats.md §4.1–4.2). Times are UTC by design of
// the format; rows without a `date` field take the date from `#Date`; rows without `time` have none.
import type { Reader } from '../types.js';
import { headText } from '../text/lines.js';
import { bindColumns, type ColumnIndex } from '../text/directives.js';
import { ByteStrings } from '../text/byte-strings.js';
import { ByteFields } from '../text/byte-fields.js';
import { headDirectives, W3cDirectives, w3cTimestamp } from '../text/w3c.js';
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

/** Rows from each line's bytes (ByteFields); a repeated value comes back as the same string (ByteStrings). */
function makeParser(): RowParser {
  const directives = new W3cDirectives(' ');
  const line = new ByteFields(' ');
  const values = new ByteStrings(false);
  const queries = new ByteStrings(true);
  let generation = -1;
  let at: ColumnIndex<keyof typeof COLUMNS> = bindColumns([], COLUMNS);
  let fieldCount = 0;
  let defaultDate: string | null = null;
  /** One row object, refilled per line (a RowParser's row is used before the next line is parsed). */
  const row: IisSmtpRow = {
    time: null,
    clientIp: null,
    username: null,
    computer: null,
    serverIp: null,
    serverPort: null,
    method: null,
    query: null,
    status: null,
    scBytes: null,
    csBytes: null,
    host: null,
  };

  return (lines, i) => {
    if (lines.needsText(i)) {
      const text = lines.text(i);
      if (text.length === 0 || directives.accept(text, lines.firstLineNo + i)) return null;
    }
    const { fields, fieldsLine } = directives.header;
    if (fields === null) return 'data line before any #Fields directive';
    if (generation !== directives.generation) {
      generation = directives.generation;
      at = bindColumns(fields, COLUMNS);
      fieldCount = fields.length;
      defaultDate = directives.header.date?.split(' ')[0] ?? null;
    }
    const count = line.split(lines, i);
    if (count !== fieldCount) return `expected ${fieldCount} fields (#Fields on line ${fieldsLine}), found ${count}`;
    let time: bigint | null = null;
    const timeText = line.value(values, at.time);
    if (timeText !== null) {
      const dateText = line.value(values, at.date) ?? defaultDate;
      time = dateText === null ? null : w3cTimestamp(dateText, timeText);
      if (time === null) return `field date/time: not a W3C date and time: "${dateText ?? ''} ${timeText}"`;
    }
    row.time = time;
    row.clientIp = line.value(values, at.clientIp);
    row.username = line.value(values, at.username);
    row.computer = line.value(values, at.computer);
    row.serverIp = line.value(values, at.serverIp);
    row.serverPort = line.value(values, at.serverPort);
    row.method = line.value(values, at.method);
    row.query = line.value(queries, at.query);
    row.status = line.value(values, at.status);
    row.scBytes = line.value(values, at.scBytes);
    row.csBytes = line.value(values, at.csBytes);
    row.host = line.value(values, at.host);
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
