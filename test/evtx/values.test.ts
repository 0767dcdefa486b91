// Value types rendered as Windows renders them (evtx-format.md sections 7 and 12), from bytes
// built by hand, and the Windows-style XML of an EventRecord (render-xml.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderEventRecordXml, escapeAttribute, escapeText } from '../../src/readers/eventlog/render-xml.js';
import { emptyEventRecord } from '../../src/readers/evtx/event-builder.js';
import { ValueError, filetimeToNanos, integerValue, renderArray, renderFiletime, renderScalar } from '../../src/readers/evtx/values.js';
import { isoFromNanos } from '../../src/util/timezone.js';

const hex = (h: string) => Buffer.from(h.replace(/\s/g, ''), 'hex');
const scalar = (h: string, type: number) => {
  const b = hex(h);
  return renderScalar(b, 0, b.length, type);
};

test('integers: signed types go negative, unsigned do not', () => {
  assert.equal(scalar('ff', 0x03), '-1');
  assert.equal(scalar('ff', 0x04), '255');
  assert.equal(scalar('0200 0780', 0x07), '-2147024894'); // HRESULT 0x80070002
  assert.equal(scalar('0200 0780', 0x08), '2147942402');
  assert.equal(scalar('80 8d 48 fe ff ff ff ff', 0x09), '-28799616');
  assert.equal(scalar('ffffffffffffffff', 0x0a), '18446744073709551615');
  assert.equal(integerValue(hex('0200 0780'), 0, 4, 0x07), -2147024894);
  assert.equal(integerValue(hex('3412'), 0, 2, 0x06), 0x1234);
  assert.equal(integerValue(hex('00'), 0, 1, 0x01), null);
});

test('HexInt32/64 and SizeT: lower-case hex without padding', () => {
  assert.equal(scalar('e7030000', 0x14), '0x3e7');
  assert.equal(scalar('e78f480000000000', 0x15), '0x488fe7');
  assert.equal(scalar('98310000', 0x10), '0x3198');
  assert.equal(scalar('9831000000000000', 0x10), '0x3198');
});

test('Bool is 4 bytes: true/false, and a 4-byte read keeps later values aligned', () => {
  assert.equal(scalar('01000000', 0x0d), 'true');
  assert.equal(scalar('00000000', 0x0d), 'false');
  assert.deepEqual(renderArray(hex('01000000 00000000 01000000'), 0, 12, 0x8d), ['true', 'false', 'true']);
  assert.throws(() => scalar('01', 0x0d), ValueError);
});

test('GUID: mixed-endian fields, lower case, braces', () => {
  // {9c137291-4059-4cb8-b650-12b07bbe1da1} as stored
  assert.equal(scalar('9172139c 5940 b84c b650 12b07bbe1da1', 0x0f), '{9c137291-4059-4cb8-b650-12b07bbe1da1}');
});

test('SID: any sub-authority count, big-endian authority', () => {
  assert.equal(scalar('0101 000000000005 12000000', 0x13), 'S-1-5-18');
  assert.equal(
    scalar('0105 000000000005 15000000 fab37b69 7c4f1ea7 aecc481d f4010000', 0x13),
    'S-1-5-21-1769714682-2803781500-491310254-500',
  );
  assert.throws(() => scalar('0105 000000000005 15000000', 0x13), ValueError);
  assert.deepEqual(renderArray(hex('0101 000000000005 12000000 0101 000000000005 13000000'), 0, 24, 0x93), ['S-1-5-18', 'S-1-5-19']);
});

test('FILETIME: 7 fractional digits, exact to 100 ns, through BigInt only', () => {
  const ticks = BigInt(Date.UTC(2019, 10, 4, 13, 46, 1)) * 10_000n + 1_713_393n + 116_444_736_000_000_000n;
  assert.equal(renderFiletime(ticks), '2019-11-04T13:46:01.1713393Z');
  assert.equal(isoFromNanos(filetimeToNanos(ticks), 7), '2019-11-04T13:46:01.1713393Z');
  assert.equal(filetimeToNanos(ticks) % 100n, 0n);
  assert.equal(renderFiletime(0n), '1601-01-01T00:00:00.0000000Z');
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(ticks);
  assert.equal(renderScalar(b, 0, 8, 0x11), '2019-11-04T13:46:01.1713393Z');
});

test('SYSTEMTIME: 1-based month, millisecond precision', () => {
  // 2020-12-11 (Friday = 5) 12:28:01.177
  assert.equal(scalar('e407 0c00 0500 0b00 0c00 1c00 0100 b100', 0x12), '2020-12-11T12:28:01.177Z');
});

test('strings, binary, string arrays (empty items kept, empty array = one empty item)', () => {
  const utf16 = (s: string) => Buffer.from(s, 'utf16le');
  assert.equal(renderScalar(utf16('a\nb\0'), 0, 8, 0x01), 'a\nb');
  assert.equal(scalar('584558434835302031303230', 0x0e), '584558434835302031303230');
  assert.equal(scalar('0aff', 0x0e), '0AFF');
  const array = utf16('sa\0\0 [CLIENT: 10.0.2.17]\0');
  assert.deepEqual(renderArray(array, 0, array.length, 0x81), ['sa', '', ' [CLIENT: 10.0.2.17]']);
  assert.deepEqual(renderArray(Buffer.alloc(0), 0, 0, 0x81), ['']);
  assert.deepEqual(renderArray(hex('0100 0200'), 0, 4, 0x86), ['1', '2']);
});

test('XML escaping as Windows does: & < > in text, quotes and line breaks in attributes', () => {
  assert.equal(escapeText('a&b<c>d\r\ne'), 'a&amp;b&lt;c&gt;d\r\ne');
  assert.equal(escapeAttribute("it's\n"), 'it&apos;s&#10;');
});

test('renderEventRecordXml: a classic SmtpEvt-style record with Qualifiers and Binary', () => {
  const record = emptyEventRecord();
  Object.assign(record, {
    record_id: 42,
    time_created: 1_065_000_000_123_456_700n,
    provider: 'SmtpEvt',
    event_id: 20031,
    qualifiers: 49152,
    level: 2,
    task: 0,
    keywords: 0x80000000000000n,
    channel: 'Application',
    computer: 'ISA01',
    data: [{ name: null, value: 'XEXCH50' }, { name: null, value: '10.0.0.5' }],
    binary: Buffer.from('XEXCH50 1020', 'latin1'),
  });
  assert.equal(
    renderEventRecordXml(record),
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='SmtpEvt'/>" +
      "<EventID Qualifiers='49152'>20031</EventID><Level>2</Level><Task>0</Task><Keywords>0x80000000000000</Keywords>" +
      "<TimeCreated SystemTime='2003-10-01T09:20:00.1234567Z'/><EventRecordID>42</EventRecordID><Correlation/>" +
      '<Channel>Application</Channel><Computer>ISA01</Computer><Security/></System><EventData><Data>XEXCH50</Data>' +
      '<Data>10.0.0.5</Data><Binary>584558434835302031303230</Binary></EventData></Event>',
  );
});
