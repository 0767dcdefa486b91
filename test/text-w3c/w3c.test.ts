// The shared W3C layer: directives, per-product splitting, UTC timestamps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headDirectives, w3cField, w3cFieldBounds, W3cDirectives, w3cTimestamp } from '../../src/readers/text/w3c.js';
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

test('w3cFieldBounds: spaces (trailing pad dropped), TAB (empty values kept, also the last one); `-` is no value', () => {
  const bounds = new Int32Array(16);
  const fields = (text: string, count: number) => Array.from({ length: count }, (_, i) => text.slice(bounds[2 * i], bounds[2 * i + 1]));
  assert.equal(w3cFieldBounds('a b  c ', ' ', bounds), 4);
  assert.deepEqual(fields('a b  c ', 4), ['a', 'b', '', 'c']);
  assert.equal(w3cFieldBounds('a\t\tb\t', '\t', bounds), 4);
  assert.deepEqual(fields('a\t\tb\t', 4), ['a', '', 'b', '']);
  assert.equal(w3cFieldBounds('', '\t', bounds), 1);
  assert.equal(w3cFieldBounds('1 2 3 4 5 6 7 8 9 10', ' ', new Int32Array(4)), 10, 'counts beyond the capacity');
  w3cFieldBounds('x - +y', ' ', bounds);
  assert.deepEqual([w3cField('x - +y', bounds, 0), w3cField('x - +y', bounds, 1), w3cField('x - +y', bounds, 2), w3cField('x - +y', bounds, -1)], ['x', null, '+y', null]);
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
