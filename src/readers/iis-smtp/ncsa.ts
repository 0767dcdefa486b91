// IIS SMTPSVC protocol log, NCSA common format (`ncyymmdd.log`), log-formats.md §4.3:
//   <c-ip> <ident> <cs-username> [dd/Mon/yyyy:HH:MM:SS ±hhmm] "<cs-method> <cs-uri-stem>?<cs-uri-query> <cs-version>" <sc-status> <bytes>
// e.g. `205.188.158.121 - OutboundConnectionResponse [11/Oct/2006:13:16:39 -0600] "- -?250+OK SMTP" 0 6`.
// Local time with its UTC offset on every line (documented, S50). The request may itself contain
// quotes (`354+…+"."+ON+A+LINE…`), so it runs from the first quote to the last one.
import type { Reader } from '../types.js';
import { headText } from '../text/lines.js';
import { fieldValue } from '../text/directives.js';
import { digits } from '../text/w3c.js';
import { decodePlus, type IisSmtpRow } from './row.js';
import { iisSmtpReading, textRowParser, type RowParse } from './stream.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `11/Oct/2006:13:16:39 -0600` → UTC nanoseconds, or null. */
export function ncsaTime(text: string): bigint | null {
  if (text.length !== 26 || text[2] !== '/' || text[6] !== '/' || text[11] !== ':' || text[20] !== ' ') return null;
  const day = digits(text, 0, 2);
  const month = MONTHS.indexOf(text.slice(3, 6));
  const year = digits(text, 7, 11);
  const hour = digits(text, 12, 14);
  const minute = digits(text, 15, 17);
  const second = digits(text, 18, 20);
  const sign = text[21] === '-' ? -1 : text[21] === '+' ? 1 : 0;
  const offset = digits(text, 22, 24) * 60 + digits(text, 24, 26);
  if (month < 0 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60 || sign === 0 || offset < 0) return null;
  const ms = Date.UTC(year, month, day, hour, minute, second) - sign * offset * 60_000;
  return BigInt(ms) * 1_000_000n;
}

const parseNcsa = (text: string): RowParse => {
  if (text.trim().length === 0) return null;
  const open = text.indexOf(' [');
  const close = text.indexOf('] "', open);
  const lastQuote = text.lastIndexOf('"');
  if (open < 0 || close < 0 || lastQuote <= close + 2) return 'not an NCSA line: expected `host ident user [time] "request" status bytes`';
  const who = text.slice(0, open).split(' ');
  if (who.length !== 3) return `expected client, ident and user before the time, found ${who.length} values`;
  const time = ncsaTime(text.slice(open + 2, close));
  if (time === null) return `field time: not an NCSA time: "${text.slice(open + 2, close)}"`;
  const request = text.slice(close + 3, lastQuote);
  const tail = text.slice(lastQuote + 1).trim().split(' ');
  if (tail.length !== 2) return `expected status and bytes after the request, found ${tail.length} values`;
  const firstSpace = request.indexOf(' ');
  const lastSpace = request.lastIndexOf(' ');
  const method = firstSpace < 0 ? request : request.slice(0, firstSpace);
  const uri = firstSpace < 0 || lastSpace <= firstSpace ? '' : request.slice(firstSpace + 1, lastSpace);
  const question = uri.indexOf('?');
  const row: IisSmtpRow = {
    time,
    clientIp: fieldValue(who, 0),
    username: fieldValue(who, 2),
    computer: null,
    serverIp: null,
    serverPort: null,
    method: fieldValue([method], 0),
    query: question < 0 ? null : decodePlus(fieldValue([uri.slice(question + 1)], 0)),
    status: fieldValue(tail, 0),
    scBytes: fieldValue(tail, 1),
    csBytes: null,
    host: null,
  };
  return row;
};

const NCSA_SMTP_LINE = /^\S+ \S+ \S+ \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] ".* SMTP" \d+ \d+\r?$/m;

export const iisSmtpNcsaReader: Reader = {
  name: 'iis-smtp-ncsa',
  version: '1',
  description: 'Exchange 2000/2003 (IIS SMTPSVC) SMTP protocol log, NCSA common format (ncyymmdd.log)',
  growable: true,
  sniff(head) {
    const text = headText(head);
    const firstLine = text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n'));
    return NCSA_SMTP_LINE.test(firstLine);
  },
  ...iisSmtpReading((ctx) => {
    ctx.timeRule('NCSA time: local time with the logged UTC offset');
    return textRowParser(parseNcsa);
  }),
};
