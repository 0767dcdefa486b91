import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFirewallMap } from '../../src/analysis/diagnose.js';
import { mappedDomains } from '../../src/analysis/firewall-map.js';
import { bytesMatch } from '../../src/analysis/attribution.js';
import { EdgelogError } from '../../src/cli/errors.js';

test('firewall map: hosts, several domains, comments and blank lines', () => {
  const map = parseFirewallMap(
    ['# ISA hosts of our partners', '', 'ISA2K-GW = Northwind.example, litware.example  # two published', 'isa06-edge=tailspin.example', 'ISA2K-GW=northwind.example,adatum.example', ''].join('\r\n'),
    'map.txt',
  );
  assert.deepEqual([...map], [
    ['isa2k-gw', ['northwind.example', 'litware.example', 'adatum.example']],
    ['isa06-edge', ['tailspin.example']],
  ]);
  assert.deepEqual(mappedDomains(map, 'ISA06-EDGE.tailspin.example'), ['tailspin.example']);
  assert.equal(mappedDomains(map, 'other'), undefined);
});

test('firewall map errors name the file and line', () => {
  assert.throws(() => parseFirewallMap('a=b.example\njust-a-host\n', 'fw.map'), (e: unknown) => {
    assert.ok(e instanceof EdgelogError);
    assert.equal(e.message, 'fw.map:2: expected HOST=domain[,domain], got "just-a-host"');
    assert.equal(e.exitCode, 2);
    return true;
  });
  assert.throws(() => parseFirewallMap('# x\n=b.example', 'fw.map'), /fw\.map:2: missing or invalid host name/);
  assert.throws(() => parseFirewallMap('isa=good.example,bad domain', 'fw.map'), /fw\.map:1: invalid domain "bad domain" for host isa/);
  assert.throws(() => parseFirewallMap('isa=', 'fw.map'), /fw\.map:1: invalid domain ""/);
});

test('byte counts: the 12-byte Data of KB 818222 may have lost digits, so it matches as a prefix', () => {
  const cut = { host: 'h', recordId: 1, time: 0, bytesText: '1020', truncated: true };
  assert.equal(bytesMatch(cut, 1020), true);
  assert.equal(bytesMatch(cut, 10204), true, 'a 5-digit count cut to 4 digits');
  assert.equal(bytesMatch(cut, 1021), false);
  assert.equal(bytesMatch({ ...cut, bytesText: '980', truncated: false }, 9801), false);
});
