// ISA Server 2000 logs in "ISA Server format" (log-formats.md §9.1): no header, every field written,
// values separated by `, `, `-` for no value, local time (`11/8/2006, 0:00:05`, → `--tz`). The value
// order is the data table src/knowledge/isa-fields.json (`isaFormat`, partly unconfirmed). A value
// containing `, ` would shift the columns; such a row has more values than the table and is rejected.
import type { Reader, StoredRecord } from '../types.js';
import { headText, readLines } from '../text/lines.js';
import { bindColumns } from '../text/directives.js';
import { localClock, parseSlashDateTime } from '../text/local-time.js';
import { isaFields } from '../../knowledge/isa-fields.js';
import { toFirewallRecord } from './row.js';

const at = bindColumns(isaFields.isaFormat, isaFields.w3c);
const SERVICES = /^(fwsrv|w3proxy|w3reverseproxy)$/i;
/** Rows may carry fewer trailing values than the table lists (positions 26-27 are unconfirmed). */
const MIN_VALUES = 25;

function looksLikeIsaFormat(values: string[]): boolean {
  return (
    values.length >= MIN_VALUES &&
    values.length <= isaFields.isaFormat.length &&
    SERVICES.test(values[at.service]) &&
    parseSlashDateTime(values[at.date], values[at.time], isaFields.isaFormatDateOrder) !== null
  );
}

export const isaFormatReader: Reader = {
  name: 'isa-format',
  version: '1',
  description: 'ISA Server 2000 firewall / web proxy logs in "ISA Server format" (comma-separated, local time: --tz)',
  growable: true,
  sniff(head) {
    const text = headText(head);
    const newline = text.indexOf('\n');
    const first = (newline < 0 ? text : text.slice(0, newline)).replace(/\r$/, '');
    return looksLikeIsaFormat(first.split(', '));
  },
  async *read(source, ctx): AsyncGenerator<StoredRecord> {
    const clock = localClock(ctx, 'ISA-format date/time');
    for await (const line of readLines(source)) {
      if (line.offset < source.emitFrom || line.text.trim().length === 0) continue;
      const reject = (message: string) => ctx.issue({ severity: 'error', line: line.lineNo, offset: line.offset, message, rejected: true });
      if (line.truncated) {
        reject('line longer than 1 MiB, dropped');
        continue;
      }
      const values = line.text.split(', ');
      if (values.length < MIN_VALUES || values.length > isaFields.isaFormat.length) {
        reject(`expected ${MIN_VALUES}-${isaFields.isaFormat.length} values separated by ", ", found ${values.length}`);
        continue;
      }
      const local = parseSlashDateTime(values[at.date], values[at.time], isaFields.isaFormatDateOrder);
      if (local === null) {
        reject(`field date/time: not a date and time: "${values[at.date]}, ${values[at.time]}"`);
        continue;
      }
      yield toFirewallRecord(values, at, null, clock.toUtc(local), line.lineNo);
    }
  },
};
