// ISA Server 2000 / 2004 / 2006 and TMG logs in W3C format (log-formats.md §9): Firewall service
// (ISA 2000 FWSEXTD*.log, ISA 2004+ ISALOG_*_FWS_*.w3c), Web Proxy, ISA 2000 IP packet filter and
// the SMTP Message Screener log. TAB-separated, field names may contain spaces, `#Fields` re-binds the
// columns wherever it appears. Date and time are UTC (documented, S34, S38).
import type { ByteSource, ReadContext, Reader, StoredRecord } from '../types.js';
import { itemsOf } from '../batched.js';
import { readLineSpans } from '../text/lines.js';
import { ByteStrings } from '../text/byte-strings.js';
import { bindColumns, fieldValue } from '../text/directives.js';
import { ByteFields } from '../text/byte-fields.js';
import { headDirectives, W3cDirectives, w3cTimestamp } from '../text/w3c.js';
import { isaFields } from '../../knowledge/isa-fields.js';
import { kindOfFields, toFirewallRecord, type IsaColumns, type IsaLogKind } from './row.js';

const ISA_SOFTWARE = /Internet Security and Acceleration|Threat Management Gateway|Forefront TMG/i;

export const isaW3cReader: Reader = {
  name: 'isa-w3c',
  version: '1',
  description: 'ISA Server 2000-2006 / Forefront TMG firewall, web proxy, packet filter and SMTP Message Screener logs, W3C format',
  growable: true,
  sniff(head) {
    const { software, fieldsLine } = headDirectives(head);
    return software !== null && ISA_SOFTWARE.test(software) && fieldsLine !== null;
  },
  read: (source, ctx) => itemsOf(readBatches(source, ctx)),
  readBatches,
};

/** The records of each batch of lines. */
async function* readBatches(source: ByteSource, ctx: ReadContext): AsyncGenerator<StoredRecord[]> {
  ctx.timeRule('W3C date/time: UTC as logged');
  const directives = new W3cDirectives('\t');
  const line = new ByteFields('\t');
  const values = new ByteStrings(false);
  let generation = -1;
  let at: IsaColumns | null = null;
  let kind: IsaLogKind | null = null;
  let fieldCount = 0;
  for await (const lines of readLineSpans(source)) {
    const records: StoredRecord[] = [];
    for (let i = 0; i < lines.count; i++) {
      if (lines.needsText(i)) {
        const text = lines.text(i);
        if (text.length === 0 || directives.accept(text, lines.firstLineNo + i)) continue;
      }
      const offset = lines.offset(i);
      if (offset < source.emitFrom) continue;
      const lineNo = lines.firstLineNo + i;
      const reject = (message: string) => ctx.issue({ severity: 'error', line: lineNo, offset, message, rejected: true });
      const { fields, fieldsLine } = directives.header;
      if (i === lines.truncated) {
        reject('line longer than 1 MiB, dropped');
        continue;
      }
      if (fields === null) {
        reject('data line before any #Fields directive');
        continue;
      }
      if (generation !== directives.generation) {
        generation = directives.generation;
        at = bindColumns(fields, isaFields.w3c);
        kind = kindOfFields(at);
        fieldCount = fields.length;
      }
      const count = line.split(lines, i);
      if (count !== fieldCount) {
        reject(`expected ${fieldCount} TAB-separated fields (#Fields on line ${fieldsLine}), found ${count}`);
        continue;
      }
      const parts = line.all(values);
      let time: bigint | null = null;
      const timeText = fieldValue(parts, at!.time);
      if (timeText !== null) {
        const dateText = fieldValue(parts, at!.date) ?? directives.header.date?.split(' ')[0] ?? null;
        time = dateText === null ? null : w3cTimestamp(dateText, timeText);
        if (time === null) {
          reject(`field date/time: not a W3C date and time: "${dateText ?? ''} ${timeText}"`);
          continue;
        }
      }
      records.push(toFirewallRecord(parts, at!, kind, time, lineNo));
    }
    yield records;
  }
}
