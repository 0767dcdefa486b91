// IIS SMTPSVC protocol log, Microsoft IIS format (`inyymmdd.log`), log-formats.md §4.1: fixed fields,
// each followed by `, `, no header, e.g.
//   10.123.12.3, Nwtraders.com, 8/18/06, 13:17:37, SMTPSVC1, MAIL01, 10.200.200.1, 90, 42, 0, 250, 0, MAIL FROM, -, FROM:<someone@Nwtraders.com>,
// The field order, date order and time basis come from src/knowledge/iis-smtp-iis-format.json
// (unconfirmed for SMTP). The last field (parameters) is everything after the last fixed comma, so
// a comma inside it does no harm.
import type { Reader, ReadContext } from '../types.js';
import { iisFormat } from '../../knowledge/iis-smtp-iis-format.js';
import { headText } from '../text/lines.js';
import { bindColumns, fieldValue } from '../text/directives.js';
import { localClock, parseSlashDateTime, wallClockAsUtc } from '../text/local-time.js';
import { decodePlus, type IisSmtpRow } from './row.js';
import { iisSmtpReading, textRowParser, type RowParser } from './stream.js';

const at = bindColumns(iisFormat.fields, {
  date: ['date'],
  time: ['time'],
  clientIp: ['c-ip'],
  username: ['cs-username'],
  site: ['s-sitename'],
  computer: ['s-computername'],
  serverIp: ['s-ip'],
  method: ['cs-method'],
  query: ['cs-uri-query'],
  status: ['sc-status'],
  scBytes: ['sc-bytes'],
  csBytes: ['cs-bytes'],
});
const FIXED = iisFormat.fields.length - 1;

/** Splits on `,` into the fixed fields (trimmed) plus the free last one; null if too few commas. */
function splitIisLine(text: string): string[] | null {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < FIXED; i++) {
    const comma = text.indexOf(',', start);
    if (comma < 0) return null;
    parts.push(text.slice(start, comma).trim());
    start = comma + 1;
  }
  let rest = text.slice(start).trim();
  if (rest.endsWith(',')) rest = rest.slice(0, -1).trimEnd();
  parts.push(rest);
  return parts;
}

function makeParser(ctx: ReadContext): RowParser {
  let toUtc = wallClockAsUtc;
  if (iisFormat.timeBasis === 'local') toUtc = localClock(ctx, 'IIS-format date/time').toUtc;
  else ctx.timeRule('IIS-format date/time: UTC as logged');
  return textRowParser((text) => {
    if (text.trim().length === 0) return null;
    const parts = splitIisLine(text);
    if (parts === null) return `expected ${FIXED + 1} comma-separated fields`;
    const local = parseSlashDateTime(parts[at.date], parts[at.time], iisFormat.dateOrder);
    if (local === null) return `field date/time: not a date and time: "${parts[at.date]}, ${parts[at.time]}"`;
    const time = toUtc(local);
    const row: IisSmtpRow = {
      time,
      clientIp: fieldValue(parts, at.clientIp),
      username: fieldValue(parts, at.username),
      computer: fieldValue(parts, at.computer),
      serverIp: fieldValue(parts, at.serverIp),
      serverPort: null,
      method: fieldValue(parts, at.method),
      query: decodePlus(fieldValue(parts, at.query)),
      status: fieldValue(parts, at.status),
      scBytes: fieldValue(parts, at.scBytes),
      csBytes: fieldValue(parts, at.csBytes),
      host: null,
    };
    return row;
  });
}

export const iisSmtpIisFormatReader: Reader = {
  name: 'iis-smtp-iis',
  version: '1',
  description: 'Exchange 2000/2003 (IIS SMTPSVC) SMTP protocol log, Microsoft IIS format (inyymmdd.log, local time: --tz)',
  growable: true,
  sniff(head) {
    const text = headText(head);
    const newline = text.indexOf('\n');
    const parts = splitIisLine(newline < 0 ? text : text.slice(0, newline));
    return parts !== null && /^SMTPSVC\d*$/.test(parts[at.site]) && parseSlashDateTime(parts[at.date], parts[at.time], iisFormat.dateOrder) !== null;
  },
  ...iisSmtpReading(makeParser),
};
