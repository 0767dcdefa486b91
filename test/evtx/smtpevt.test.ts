// The event this product is about, ISA's SmtpEvt 20031 with Binary `XEXCH50 1020`, written as
// EVTX by the fixture writer (fixtures/generate/writers/evtx.ts, a classic-source record shaped
// like the MSSQL sample of evtx-format.md 11.3) and read back: Qualifiers split from the ID, the
// insertion strings as unnamed Data, the Binary bytes and their text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeEvtx } from '../../fixtures/generate/writers/evtx.js';
import { isoFromNanos } from '../../src/util/timezone.js';
import { readBuffer } from './helpers.js';

test('SmtpEvt 20031 in EVTX: binary_text is XEXCH50 1020', async () => {
  const bytes = writeEvtx([
    {
      recordId: 7,
      timeCreated: 1_065_000_000_123_456_700n,
      provider: 'SmtpEvt',
      eventId: 20031,
      qualifiers: 49152,
      level: 3,
      task: 0,
      keywords: 0x80000000000000n,
      channel: 'Application',
      computer: 'ISA01',
      userSid: null,
      data: ['10.0.0.25', 'partner.example', ''],
      binary: Buffer.from('XEXCH50 1020', 'latin1'),
    },
  ]);
  const { decoded, issues } = await readBuffer(bytes);
  assert.deepEqual(issues, []);
  assert.equal(decoded.length, 1);
  const r = decoded[0].record;
  assert.equal(r.provider, 'SmtpEvt');
  assert.equal(r.event_id, 20031);
  assert.equal(r.qualifiers, 49152);
  assert.equal(r.record_id, 7);
  assert.equal(isoFromNanos(r.time_created!, 7), '2003-10-01T09:20:00.1234567Z');
  assert.deepEqual(r.data, [
    { name: null, value: '10.0.0.25' },
    { name: null, value: 'partner.example' },
    { name: null, value: '' },
  ]);
  assert.equal(Buffer.from(r.binary!).toString('latin1'), 'XEXCH50 1020');
  assert.equal(r.binary_text, 'XEXCH50 1020');
});
