// Legacy .evt and Event Viewer exports through the real store: a constructed SmtpEvt 20031 .evt
// (KB 818222's Data `XEXCH50 1020`), the XML/CSV/TXT fixtures and the corpus SysEvent log land in
// `events` / `event_data` with the formats detected by content and binary_text filled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/store.js';
import { ingestPaths } from '../../src/store/ingest.js';
import { runSql } from '../../src/store/sql.js';
import { parseZone } from '../../src/util/timezone.js';
import { tempDir } from '../helpers/cli.js';
import { layoutEvt } from './build-evt.js';
import { CORPUS } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/eventexport/', import.meta.url));

test('ingest: .evt and Event Viewer exports fill events with binary_text and event_data', async () => {
  const dir = tempDir();
  const input = join(dir, 'in');
  mkdirSync(input);
  const smtpEvt = layoutEvt({
    size: 4096,
    oldest: 48,
    records: [
      {
        number: 4711,
        time: Date.UTC(2006, 9, 28, 17, 5, 12) / 1000,
        eventId: 0xc0004e3f, // 20031; the Qualifiers word is an assumption (error severity)
        type: 1,
        source: 'SmtpEvt',
        computer: 'ISA01',
        strings: [],
        data: Buffer.from('XEXCH50 1020', 'latin1'),
      },
    ],
  });
  writeFileSync(join(input, 'AppEvent.Evt'), smtpEvt.bytes);
  for (const name of ['smtpevt-20031.wevtutil.xml', 'smtpevt-20031.saved.xml', 'smtpevt-20031.csv', 'smtpevt-20031.txt']) {
    copyFileSync(join(FIXTURES, name), join(input, name));
  }
  copyFileSync(join(CORPUS, 'legacy-SysEvent-WinXP.Evt'), join(input, 'SysEvent.Evt'));

  const store = await openStore(join(dir, 'db.duckdb'));
  try {
    const summaries = await ingestPaths(store, [input], { tz: parseZone('America/New_York') });
    assert.deepEqual(
      Object.fromEntries(summaries.map((s) => [s.path.split('/').pop(), [s.format, s.records, s.rejected]])),
      {
        'AppEvent.Evt': ['evt', 1, 0],
        'SysEvent.Evt': ['evt', 6063, 0],
        'smtpevt-20031.csv': ['event-csv', 4, 0],
        'smtpevt-20031.saved.xml': ['event-xml', 1, 0],
        'smtpevt-20031.txt': ['event-txt', 4, 0],
        'smtpevt-20031.wevtutil.xml': ['event-xml', 3, 0],
      },
    );
    const rows = async (sql: string) => (await runSql(store.connection, sql)).rows;
    assert.deepEqual(
      await rows(`SELECT f.format, e.record_id, e.provider, e.event_id, e.qualifiers, e.channel, e.binary_text,
                         strftime(e.time_created, '%Y-%m-%dT%H:%M:%S') AS t
                  FROM events e JOIN ingest_files f USING (file_id)
                  WHERE e.binary_text = 'XEXCH50 1020' ORDER BY f.format`),
      [
        { format: 'event-xml', record_id: '4711', provider: 'SmtpEvt', event_id: 20031, qualifiers: 49152, channel: 'Application', binary_text: 'XEXCH50 1020', t: '2006-10-28T17:05:12' },
        { format: 'event-xml', record_id: '4711', provider: 'SmtpEvt', event_id: 20031, qualifiers: 49152, channel: 'Application', binary_text: 'XEXCH50 1020', t: '2006-10-28T17:05:12' },
        { format: 'evt', record_id: '4711', provider: 'SmtpEvt', event_id: 20031, qualifiers: 49152, channel: 'Application', binary_text: 'XEXCH50 1020', t: '2006-10-28T17:05:12' },
      ],
    );
    assert.deepEqual(
      await rows(`SELECT count(*) AS n FROM events e JOIN ingest_files f USING (file_id)
                  WHERE f.format IN ('event-csv', 'event-txt') AND e.provider = 'SmtpEvt' AND e.event_id = 20031
                    AND e.message = 'An unknown SMTP command' AND e.binary IS NULL`),
      [{ n: '6' }],
    );
    assert.deepEqual(
      await rows(`SELECT d.ordinal, d.name, d.value FROM event_data d JOIN events e USING (file_id, seq)
                  WHERE e.record_id = 1392 AND e.provider = 'LSASRV' ORDER BY d.ordinal`),
      [
        { ordinal: 0, name: null, value: 'cifs/CONTROLLER' },
        {
          ordinal: 1,
          name: null,
          value: '"The system detected a possible attempt to compromise security. Please ensure that you can contact the server that authenticated you.\r\n (0xc0000388)"',
        },
      ],
    );
  } finally {
    await store.close();
  }
});
