import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFirewallMap } from '../../src/analysis/diagnose.js';
import { mappedDomains } from '../../src/analysis/firewall-map.js';
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
