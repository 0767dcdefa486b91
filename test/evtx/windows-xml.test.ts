// Correctness against Windows' own rendering: win11-{Application,System,Security}.evtx and the XML
// Windows exported from them (RenderingInfo removed). Two checks per record: our XML rendering is
// identical to Windows' (line breaks normalised: the stored exports have LF where Windows wrote
// CR LF), and the EventRecord columns equal the System fields and EventData/UserData values
// parsed from Windows' XML.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { EventRecord } from '../../src/store/records.js';
import { isoFromNanos } from '../../src/util/timezone.js';
import { CORPUS, readCorpusFile } from './helpers.js';

interface WindowsEvent {
  xml: string;
  fields: Record<string, string | null>;
  data: [string | null, string][];
  binary: string | null;
}

function unescape(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&');
}

function match(re: RegExp, text: string): string | null {
  const m = re.exec(text);
  return m ? unescape(m[1]) : null;
}

/** The fields of one Windows <Event>, read with patterns that fit Windows' fixed layout. */
function parseWindowsEvent(xml: string): WindowsEvent {
  const system = /<System>(.*)<\/System>/s.exec(xml)![1];
  const fields = {
    provider: match(/<Provider Name='([^']*)'/, system),
    provider_guid: match(/<Provider [^>]*Guid='([^']*)'/, system),
    event_id: match(/<EventID[^>]*>(\d+)</, system),
    qualifiers: match(/<EventID Qualifiers='(\d+)'/, system),
    version: match(/<Version>(\d+)</, system),
    level: match(/<Level>(\d+)</, system),
    task: match(/<Task>(\d+)</, system),
    opcode: match(/<Opcode>(\d+)</, system),
    keywords: match(/<Keywords>([^<]*)</, system),
    time_created: match(/<TimeCreated SystemTime='([^']*)'/, system),
    record_id: match(/<EventRecordID>(\d+)</, system),
    process_id: match(/<Execution ProcessID='(\d+)'/, system),
    thread_id: match(/<Execution [^>]*ThreadID='(\d+)'/, system),
    channel: match(/<Channel>([^<]*)</, system),
    computer: match(/<Computer>([^<]*)</, system),
    user_sid: match(/<Security UserID='([^']*)'/, system),
  };
  const data: [string | null, string][] = [];
  let binary: string | null = null;
  const eventData = /<EventData(?: [^>]*)?>(.*)<\/EventData>/s.exec(xml)?.[1] ?? '';
  for (const m of eventData.matchAll(/<Data(?: Name='([^']*)')?>(.*?)<\/Data>|<Binary>(.*?)<\/Binary>/gs)) {
    if (m[3] !== undefined) binary = m[3];
    else data.push([m[1] === undefined ? null : unescape(m[1]), unescape(m[2])]);
  }
  const userData = /<UserData>(.*)<\/UserData>/s.exec(xml)?.[1] ?? '';
  // Leaves: an element whose content has no further element.
  for (const m of userData.matchAll(/<([\w:]+)(?: [^>]*)?>([^<]*)<\/\1>/g)) data.push([m[1], unescape(m[2])]);
  return { xml, fields, data, binary };
}

function windowsEvents(name: string): Map<string, WindowsEvent> {
  const text = readFileSync(CORPUS + name, 'utf8');
  const events = new Map<string, WindowsEvent>();
  for (const m of text.matchAll(/<Event xmlns=.*?<\/Event>/gs)) {
    const event = parseWindowsEvent(m[0].replace(/<RenderingInfo.*?<\/RenderingInfo>/s, ''));
    events.set(event.fields.record_id!, event);
  }
  return events;
}

function ourFields(r: EventRecord): Record<string, string | null> {
  const text = (v: number | string | null) => (v === null ? null : String(v));
  return {
    provider: r.provider,
    provider_guid: r.provider_guid,
    event_id: text(r.event_id),
    qualifiers: text(r.qualifiers),
    version: text(r.version),
    level: text(r.level),
    task: text(r.task),
    opcode: text(r.opcode),
    keywords: r.keywords === null ? null : `0x${r.keywords.toString(16)}`,
    time_created: r.time_created === null ? null : isoFromNanos(r.time_created, 7),
    record_id: text(r.record_id),
    process_id: text(r.process_id),
    thread_id: text(r.thread_id),
    channel: r.channel,
    computer: r.computer,
    user_sid: r.user_sid,
  };
}

const lf = (text: string) => text.replace(/\r\n/g, '\n');

const EXPECTED = { Application: 366, System: 1247, Security: 1715 };
let compared = 0;

for (const [log, count] of Object.entries(EXPECTED)) {
  test(`win11-${log}.evtx: every record equals Windows' own XML, field by field and as XML`, async () => {
    const windows = windowsEvents(`win11-${log}.windows.xml`);
    const { decoded, issues } = await readCorpusFile(`win11-${log}.evtx`, { xml: true });
    assert.deepEqual(issues, []);
    assert.equal(decoded.length, count);
    assert.equal(windows.size, count);
    const problems: string[] = [];
    for (const { record, xml } of decoded) {
      const win = windows.get(String(record.record_id));
      if (!win) {
        problems.push(`record ${record.record_id}: not in Windows' export`);
        continue;
      }
      windows.delete(String(record.record_id));
      if (lf(xml ?? '') !== win.xml) problems.push(`record ${record.record_id}: XML differs`);
      assert.deepEqual(ourFields(record), win.fields, `record ${record.record_id} System fields`);
      const data = record.data.map((d): [string | null, string] => [d.name, lf(d.value)]);
      assert.deepEqual(data, win.data, `record ${record.record_id} EventData/UserData values`);
      const binary = record.binary === null ? null : Buffer.from(record.binary).toString('hex').toUpperCase();
      assert.equal(binary, win.binary, `record ${record.record_id} Binary`);
      compared++;
    }
    assert.deepEqual(problems, []);
    assert.equal(windows.size, 0, 'every Windows event was matched');
  });
}

test('Windows comparison covered all 3,328 records', () => {
  assert.equal(compared, 366 + 1247 + 1715);
});
