// A tiny text reader for store tests: each line `TIME<TAB>RECIPIENT` becomes one tracking row.
// A line `BOOM` makes it throw (a reader bug); a line `SLOW` makes it wait (kill tests); other
// lines are rejected as malformed. Growable, so appended-tail ingest can be tested on it.
import { readLines } from '../../src/readers/text/lines.js';
import type { Reader } from '../../src/readers/types.js';
import type { TrackingRecord } from '../../src/store/records.js';
import { nanosFromIso } from '../../src/util/timezone.js';

export const TEST_MAGIC = '#test-lines';

export function trackingRow(time: bigint, recipient: string, lineNo: number): TrackingRecord {
  return {
    table: 'tracking',
    time,
    server: 'TESTSRV',
    format_version: null,
    raw_event: '1031',
    event_kind: 'sent',
    message_id: `<m${lineNo}@test>`,
    internal_id: null,
    sender: 'a@sender.example',
    recipient,
    recipient_domain: recipient.split('@')[1] ?? null,
    partner: null,
    client_ip: null,
    server_ip: null,
    recipient_status: null,
    dsn_code: null,
    size_bytes: 100,
    recipient_count: 1,
    subject: null,
    source: null,
    connector: null,
    source_context: null,
    line_no: lineNo,
  };
}

export const testLineReader: Reader = {
  name: 'test-lines',
  version: '1',
  description: 'test format',
  growable: true,
  sniff: (head) => head.toString('latin1').startsWith(TEST_MAGIC),
  async *read(source, ctx) {
    ctx.timeRule('UTC as logged');
    for await (const line of readLines(source)) {
      if (line.offset < source.emitFrom || line.text.startsWith('#') || line.text === '') continue;
      if (line.text === 'BOOM') throw new Error(`reader bug at line ${line.lineNo}`);
      if (line.text === 'SLOW') {
        await new Promise((r) => setTimeout(r, 60_000));
        continue;
      }
      const [time, recipient] = line.text.split('\t');
      const ns = time ? nanosFromIso(time) : null;
      if (ns === null || !recipient) {
        ctx.issue({ severity: 'error', line: line.lineNo, offset: line.offset, message: `malformed line: ${line.text.slice(0, 40)}`, rejected: true });
        continue;
      }
      yield trackingRow(ns, recipient, line.lineNo);
    }
  },
};
