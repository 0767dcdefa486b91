// The streaming CSV splitter (src/readers/text/csv.ts) and reader detection across the CSV/TAB family.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCsv, splitCsv, splitPlain, type CsvItem } from '../../src/readers/text/csv.js';
import { bufferSource } from '../../src/readers/byte-source.js';
import { detectReader, SNIFF_BYTES } from '../../src/readers/registry.js';
import { corpus, fixture } from './read-helper.js';

async function items(text: string | Buffer, delimiter = ',', maxRecordLines?: number): Promise<CsvItem[]> {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const out: CsvItem[] = [];
  for await (const item of readCsv(bufferSource('t', bytes), { delimiter, maxRecordLines })) {
    out.push(item.kind === 'record' ? { ...item, fields: [...item.fields] } : item);
  }
  return out;
}

test('splitCsv: quotes, doubled quotes, empty fields, bad quoting', () => {
  const out: string[] = [];
  assert.deepEqual(splitCsv('a,"b,c","d ""e""",,', ',', out), { status: 'ok' });
  assert.deepEqual(out, ['a', 'b,c', 'd "e"', '', '']);
  assert.deepEqual(splitCsv('"",x', ',', out), { status: 'ok' });
  assert.deepEqual(out, ['', 'x']);
  assert.deepEqual(splitCsv('a,"open', ',', out), { status: 'open' });
  assert.deepEqual(splitCsv('a,"x"y,b', ',', out), { status: 'bad', column: 6, message: 'unexpected character after closing quote in field 2' });
  assert.deepEqual(splitCsv('a,b"c', ',', out), { status: 'bad', column: 4, message: 'stray quote in unquoted field 2' });
  assert.deepEqual(splitCsv('x\t"y\tz"\t', '\t', out), { status: 'ok' });
  assert.deepEqual(out, ['x', 'y\tz', '']);
  assert.deepEqual(splitPlain('a\t\tb', '\t', out), ['a', '', 'b']);
});

test('readCsv: directives, quoted line breaks, line numbers and offsets, CRLF', async () => {
  const text = '#Fields: a,b\r\n1,"x\r\ny"\r\n\r\n2,z\r\n';
  const got = await items(text);
  assert.deepEqual(got, [
    { kind: 'directive', text: '#Fields: a,b', lineNo: 1, offset: 0 },
    { kind: 'record', fields: ['1', 'x\ny'], lineNo: 2, offset: 14, nextOffset: 24 },
    { kind: 'record', fields: ['2', 'z'], lineNo: 5, offset: 26, nextOffset: 31 },
  ]);
});

test('readCsv: an unterminated quote costs one line, not the rest of the file', async () => {
  const lines = ['1,"never closed', '2,b', '3,c', '4,d'];
  const got = await items(lines.join('\n') + '\n', ',', 3);
  assert.deepEqual(
    got.map((i) => (i.kind === 'record' ? `${i.lineNo}:${i.fields.join('|')}` : `${i.kind}@${i.lineNo}`)),
    ['malformed@1', '2:2|b', '3:3|c', '4:4|d'],
  );
  const atEnd = await items('1,a\n2,"open at end\n');
  assert.deepEqual(atEnd.map((i) => `${i.kind}@${i.lineNo}`), ['record@1', 'malformed@2']);
});

test('readCsv: UTF-16LE with BOM', async () => {
  const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('\r\nNode,Name\r\nEXCH01,"a,b"\r\n', 'utf16le')]);
  const got = await items(bytes);
  assert.deepEqual(got.map((i) => (i.kind === 'record' ? i.fields : i.kind)), [['Node', 'Name'], ['EXCH01', 'a,b']]);
});

test('detection: each CSV/TAB sample goes to its own reader', async () => {
  const cases: [Buffer, string][] = [
    [await corpus('exchange/elastic-beats/exchange2010_msgtrk_bom8.log'), 'exchange2007-tracking'],
    [await fixture('msgtrk/MSGTRK20090601-1.LOG'), 'exchange2007-tracking'],
    [await fixture('tracking2003/20060314.log'), 'exchange2003-tracking'],
    [await fixture('tracking2003/20060317-bom-crlf.log'), 'exchange2003-tracking'],
    [await fixture('smtp2007/SEND20090601-1.LOG'), 'exchange2007-smtp'],
    [await fixture('smtp2007/RECV20090601-1.LOG'), 'exchange2007-smtp'],
    [await fixture('queue/esm-export-list.txt'), 'queue-export'],
    [await fixture('queue/esm-export-list-en-gb.csv'), 'queue-export'],
    [await fixture('queue/wmi-exchange-link.csv'), 'queue-export'],
    [await fixture('queue/wmi-exchange-queue.csv'), 'queue-export'],
    [await fixture('queue/get-queue.csv'), 'queue-export'],
    [await fixture('queue/get-message.csv'), 'queue-export'],
  ];
  for (const [bytes, name] of cases) assert.equal(detectReader(bytes.subarray(0, SNIFF_BYTES))?.name, name);
});

test('detection: the other Exchange corpus samples are not taken by the CSV/TAB readers', async () => {
  const mine = new Set(['exchange2003-tracking', 'exchange2007-tracking', 'exchange2007-smtp', 'queue-export']);
  for (const name of [
    'ossec/exchange2000_smtpsvc_w3c_ex061009.log',
    'ossec/exchange2000_smtpsvc_ncsa_nc061011.log',
    'ossec/isa2000_firewall_isaformat_excerpt.log',
    'ossec/isa2000_ippacketfilter_w3c_excerpt.log',
    'ossec/isa2000_webproxy_w3c_excerpt.log',
    'ossec/isa2004_firewall_w3c_excerpt.w3c',
    'ossec/isa2004_webproxy_w3c_excerpt.w3c',
  ]) {
    const found = detectReader((await corpus(`exchange/${name}`)).subarray(0, SNIFF_BYTES))?.name;
    assert.ok(found === undefined || !mine.has(found), `${name} detected as ${found}`);
  }
});
