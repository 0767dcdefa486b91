// IIS SMTPSVC protocol log, W3C extended format (`exyymmdd.log`): space-separated, any field subset,
// columns bound by name from each `#Fields` (log-formats.md §4.1–4.2). Times are UTC by design of
// the format; rows without a `date` field take the date from `#Date`; rows without `time` have none.
import type { Reader } from '../types.js';
import { headText } from '../text/lines.js';
import { bindColumns, headDirectives, splitW3cLine, W3cDirectives, w3cTimestamp } from '../text/w3c.js';
import { dash, type IisSmtpRow } from './row.js';
import { iisSmtpRecords, type RowParser } from './stream.js';

const COLUMNS = [['date'], ['time'], ['c-ip'], ['cs-username'], ['s-computername'], ['s-ip'], ['s-port'], ['cs-method'], ['cs-uri-query'], ['sc-status'], ['sc-bytes'], ['cs-bytes'], ['cs-host']] as const;
const [DATE, TIME, C_IP, USERNAME, COMPUTER, S_IP, S_PORT, METHOD, QUERY, STATUS, SC_BYTES, CS_BYTES, HOST] = COLUMNS.map((_, i) => i);

/** Marks of an SMTP (not HTTP/FTP) IIS log in the first bytes. */
const SMTP_MARKS = /SMTPSVC\d*|OutboundConnection(?:Command|Response)| SMTP(?: |$)/m;

function makeParser(): RowParser {
  const directives = new W3cDirectives(' ');
  const parts: string[] = [];
  let generation = -1;
  let at: Int32Array = new Int32Array(COLUMNS.length);
  let fieldCount = 0;
  let defaultDate: string | null = null;
  const value = (i: number, count: number): string | null => (at[i] >= 0 && at[i] < count ? dash(parts[at[i]]) : null);

  return (line) => {
    if (line.text.length === 0) return null;
    if (directives.accept(line.text, line.lineNo)) return null;
    const { fields, fieldsLine } = directives.header;
    if (fields === null) return 'data line before any #Fields directive';
    if (generation !== directives.generation) {
      generation = directives.generation;
      at = bindColumns(fields, COLUMNS);
      fieldCount = fields.length;
      defaultDate = directives.header.date?.split(' ')[0] ?? null;
    }
    const count = splitW3cLine(line.text, ' ', parts);
    if (count !== fieldCount) return `expected ${fieldCount} fields (#Fields on line ${fieldsLine}), found ${count}`;
    let time: bigint | null = null;
    const timeText = value(TIME, count);
    if (timeText !== null) {
      const dateText = value(DATE, count) ?? defaultDate;
      time = dateText === null ? null : w3cTimestamp(dateText, timeText);
      if (time === null) return `field date/time: not a W3C date and time: "${dateText ?? ''} ${timeText}"`;
    }
    const row: IisSmtpRow = {
      time,
      clientIp: value(C_IP, count),
      username: value(USERNAME, count),
      computer: value(COMPUTER, count),
      serverIp: value(S_IP, count),
      serverPort: value(S_PORT, count),
      method: value(METHOD, count),
      query: value(QUERY, count),
      status: value(STATUS, count),
      scBytes: value(SC_BYTES, count),
      csBytes: value(CS_BYTES, count),
      host: value(HOST, count),
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
  async *read(source, ctx) {
    ctx.timeRule('W3C date/time: UTC as logged');
    yield* iisSmtpRecords(source, ctx, makeParser());
  },
};
