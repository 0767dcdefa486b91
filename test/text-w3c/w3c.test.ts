// The shared W3C layer: directives, per-product splitting, UTC timestamps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headDirectives, W3cDirectives, w3cTimestamp } from '../../src/readers/text/w3c.js';
import { ByteFields } from '../../src/readers/text/byte-fields.js';
import { ByteStrings } from '../../src/readers/text/byte-strings.js';
import { LineSpans, type TextEncoding } from '../../src/readers/text/lines.js';
import { nanosFromIso } from '../../src/util/timezone.js';

test('IIS #Fields split on spaces (trailing space ignored); ISA #Fields on TAB, names keep their spaces', () => {
  const iis = new W3cDirectives(' ');
  assert.equal(iis.accept('#Fields: date time c-ip cs(Referer) ', 4), true);
  assert.deepEqual(iis.header.fields, ['date', 'time', 'c-ip', 'cs(Referer)']);
  assert.equal(iis.header.fieldsLine, 4);
  const isa = new W3cDirectives('\t');
  isa.accept('#Fields: computer\tdate\ttime\tIP protocol\toriginal client IP', 1);
  assert.deepEqual(isa.header.fields, ['computer', 'date', 'time', 'IP protocol', 'original client IP']);
});

test('every #Fields bumps the generation; other directives are kept; data lines are not directives', () => {
  const d = new W3cDirectives(' ');
  d.accept('#Software: Microsoft Internet Information Services 6.0', 1);
  d.accept('#Date: 2006-03-15 08:00:00', 2);
  d.accept('#Fields: a b', 3);
  d.accept('#Remark: restarted', 4);
  d.accept('#Fields: a', 5);
  assert.equal(d.generation, 2);
  assert.deepEqual(d.header.fields, ['a']);
  assert.equal(d.header.software, 'Microsoft Internet Information Services 6.0');
  assert.equal(d.header.date, '2006-03-15 08:00:00');
  assert.equal(d.accept('2006-03-15 08:00:01 x', 6), false);
});

/** ByteFields over one line given as bytes: every field's text (null for "no value"). */
function splitLine(bytes: Buffer, delimiter: ' ' | '\t', encoding: TextEncoding = 'utf-8'): (string | null)[] {
  const lines = new LineSpans();
  lines.encoding = encoding;
  lines.reset(bytes, 0, 1);
  lines.push(0, bytes.length, bytes.length, false);
  const fields = new ByteFields(delimiter);
  const count = fields.split(lines, 0);
  return Array.from({ length: count }, (_, i) => fields.value(new ByteStrings(false), i));
}

test('ByteFields: trailing spaces (and CR) dropped, an empty last TAB value kept; `-` and empty are no value', () => {
  assert.deepEqual(splitLine(Buffer.from('a b  c \r'), ' '), ['a', 'b', null, 'c']);
  assert.deepEqual(splitLine(Buffer.from('a\t\tb\t'), '\t'), ['a', null, 'b', null]);
  assert.deepEqual(splitLine(Buffer.from(''), '\t'), [null]);
  const many = Array.from({ length: 100 }, (_, i) => String(i));
  assert.deepEqual(splitLine(Buffer.from(many.join(' ')), ' '), many, 'more fields than the first bounds hold');
  assert.deepEqual(splitLine(Buffer.from('x - +y'), ' '), ['x', null, '+y']);
});

test('ByteFields: a line with bytes above 0x7F is read as UTF-8, else Windows-1252; UTF-16 lines are decoded first', () => {
  assert.deepEqual(splitLine(Buffer.from('caf\u00e9 d\u00e9j\u00e0', 'utf8'), ' '), ['caf\u00e9', 'd\u00e9j\u00e0']);
  assert.deepEqual(splitLine(Buffer.from('caf\u00e9 \u20ac5', 'latin1').fill(0x80, 5, 6), ' '), ['caf\u00e9', '\u20ac5']);
  assert.deepEqual(splitLine(Buffer.from('M\u00fcller\t1', 'utf16le'), '\t', 'utf-16le'), ['M\u00fcller', '1']);
});

test('ByteStrings: a repeated value is the same string; `+` decoding trims and may leave nothing; long values are decoded', () => {
  const raw = new ByteStrings(false);
  const plus = new ByteStrings(true);
  const bytes = Buffer.from('250+OK 250+OK ++ +a+b+ 250+OK');
  assert.equal(raw.get(bytes, 0, 6), '250+OK');
  assert.equal(plus.get(bytes, 0, 6), '250 OK');
  assert.equal(plus.get(bytes, 7, 13), '250 OK');
  assert.equal(plus.get(bytes, 14, 16), null);
  assert.equal(plus.get(bytes, 17, 22), 'a b');
  assert.equal(raw.get(bytes, 23, 29), '250+OK');
  const long = Buffer.from(`${'x'.repeat(70)} ${'x'.repeat(70)}`);
  assert.equal(raw.get(long, 0, 70), 'x'.repeat(70));
  // Many distinct values share 4096 slots: each still comes back with its own text.
  const many = Buffer.from(Array.from({ length: 20_000 }, (_, n) => `v${n}`).join(' '));
  let at = 0;
  for (let n = 0; n < 20_000; n++) {
    const end = many.indexOf(0x20, at) < 0 ? many.length : many.indexOf(0x20, at);
    assert.equal(raw.get(many, at, end), `v${n}`);
    at = end + 1;
  }
});

test('w3cTimestamp reads UTC date + time, with fractions; rejects impossible values', () => {
  assert.equal(w3cTimestamp('2006-10-09', '05:00:15'), nanosFromIso('2006-10-09T05:00:15Z'));
  assert.equal(w3cTimestamp('2006-10-09', '5:00:15.25'), nanosFromIso('2006-10-09T05:00:15.25Z'));
  assert.equal(w3cTimestamp('2006-02-30', '05:00:15'), null);
  assert.equal(w3cTimestamp('2006-10-09', '25:00:00'), null);
  assert.equal(w3cTimestamp('20081.6-11-16', '00:00:14'), null);
});

test('headDirectives finds #Software, #Fields and the first data line', () => {
  const head = Buffer.from('\ufeff#Software: X\r\n#Version: 1.0\r\n#Fields: a b\r\n1 2\r\n', 'utf8');
  assert.deepEqual(headDirectives(head), { software: 'X', fieldsLine: 'a b', firstDataLine: '1 2' });
});
