// Template-less ("flat") BinXML: both oracles fail on every record of this file (evtx-format.md
// section 9), so the expected values were checked by hand: every value below occurs verbatim as
// UTF-16LE text inside the record's bytes (the records are at file offsets 4608, 9432, 13624,
// 17904, 22096, 26440), except FWLink, whose `&` characters are stored as entity references
// between text pieces.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoFromNanos } from '../../src/util/timezone.js';
import { readCorpusFile } from './helpers.js';

const FILE = 'flat-binxml-Defender-1116-1117.evtx';

test('flat BinXML: six Defender records with their System fields', async () => {
  const { decoded, issues } = await readCorpusFile(FILE);
  assert.deepEqual(issues, []);
  const summary = decoded.map(({ record: r }) => [
    r.source_offset,
    r.record_id,
    r.event_id,
    r.level,
    isoFromNanos(r.time_created!, 7),
    r.process_id,
    r.thread_id,
    r.data.length,
  ]);
  assert.deepEqual(summary, [
    [4608, 171, 1116, 3, '2020-12-11T12:28:01.2990045Z', 4172, 4384, 42],
    [9432, 172, 1116, 3, '2020-12-11T12:28:01.5662923Z', 4172, 5900, 42],
    [13624, 173, 1116, 3, '2020-12-11T12:28:01.6511263Z', 4172, 5324, 42],
    [17904, 175, 1116, 3, '2020-12-11T12:28:43.0102967Z', 4172, 924, 42],
    [22096, 176, 1117, 4, '2020-12-11T12:28:44.2711826Z', 4172, 3144, 42],
    [26440, 177, 1116, 3, '2020-12-11T12:28:44.3178756Z', 4172, 3144, 42],
  ]);
  for (const { record: r } of decoded) {
    assert.equal(r.provider, 'Microsoft-Windows-Windows Defender');
    assert.equal(r.provider_guid, '{11cd958a-c507-4ef3-b3f2-5fd9dfbd2c78}');
    assert.equal(r.channel, 'Microsoft-Windows-Windows Defender/Operational');
    assert.equal(r.computer, 'WIN10-client01.offsec.lan');
    assert.equal(r.user_sid, 'S-1-5-18');
    assert.equal(r.keywords, 0x8000000000000000n);
    assert.equal(r.qualifiers, null);
    assert.equal(r.binary, null);
  }
});

test('flat BinXML: EventData names and values, including entity references', async () => {
  const { decoded } = await readCorpusFile(FILE);
  const first = decoded[0].record.data;
  assert.deepEqual(first.slice(0, 4), [
    { name: 'Product Name', value: 'Microsoft Defender Antivirus' },
    { name: 'Product Version', value: '4.18.2011.6' },
    { name: 'Detection ID', value: '{82C6A580-0C4C-48BD-A0AC-6D3DE58FDABB}' },
    { name: 'Detection Time', value: '2020-12-11T12:28:01.177Z' },
  ]);
  assert.deepEqual(first[4], { name: 'Unused', value: '' });
  assert.deepEqual(first[12], {
    name: 'FWLink',
    value: 'https://go.microsoft.com/fwlink/?linkid=37020&name=HackTool:Win64/Mikatz!dha&threatid=2147705511&enterprise=0',
  });
  assert.deepEqual(first[21], { name: 'Path', value: 'file:_C:\\Users\\admmig\\Documents\\mimidrv.sys' });
  const quarantine = new Map(decoded[4].record.data.map((d) => [d.name, d.value]));
  assert.equal(quarantine.get('Threat Name'), 'HackTool:Win32/Mimikatz.D');
  assert.equal(quarantine.get('Action Name'), 'Quarantine');
  assert.equal(quarantine.get('Path'), 'file:_C:\\Users\\admmig\\Documents\\mimikatz.exe');
});

test('flat BinXML renders as XML with the entity references escaped again', async () => {
  const { decoded } = await readCorpusFile(FILE, { xml: true });
  const xml = decoded[0].xml!;
  assert.ok(xml.startsWith("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Windows Defender'"));
  assert.ok(xml.includes("<Data Name='FWLink'>https://go.microsoft.com/fwlink/?linkid=37020&amp;name=HackTool:Win64/Mikatz!dha&amp;threatid=2147705511&amp;enterprise=0</Data>"));
  assert.ok(xml.endsWith("<Data Name='Engine Version'>AM: 1.1.17600.5, NIS: 1.1.17600.5</Data></EventData></Event>"));
});
