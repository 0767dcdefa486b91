// Ground-truth counts come from re-reading the written files; they must equal what the simulation
// meant to write, for the committed seed and for another one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERDICTS } from '../../src/analysis/findings.js';
import { generate } from '../../fixtures/generate/main.js';
import { recount } from '../../fixtures/generate/recount.js';
import { Random } from '../../fixtures/generate/prng.js';
import { buildWorld } from '../../fixtures/generate/world.js';

const committed = fileURLToPath(new URL('../../fixtures/scenario/', import.meta.url));
const KEYS = ['sent', 'delivered', 'ndr', 'xexch50_attempts', 'xexch50_blocked', 'firewall_events'] as const;

for (const seed of [1, 2]) {
  test(`seed ${seed}: the recount of the files equals the simulation's tallies`, () => {
    const dir = mkdtempSync(join(tmpdir(), `scenario-${seed}-`));
    try {
      const { sim, counted, truth } = generate({ seed, scale: 1, out: dir });
      for (const [domain, tally] of sim.tallies) {
        const c = counted.domains.get(domain)!;
        for (const k of KEYS) assert.equal(c[k], tally[k], `${domain} ${k}`);
        assert.equal(c.undelivered, c.sent - c.delivered - c.ndr, `${domain} undelivered`);
      }
      assert.equal(counted.unmatchedFirewallEvents.length, 0);
      // Every verdict of the vocabulary occurs, and the KB 818222 domains show the full chain.
      const verdicts = new Set(Object.values(truth.domains).map((d) => d.verdict));
      assert.deepEqual([...verdicts].sort(), [...VERDICTS].sort());
      const blocked = Object.entries(truth.domains).filter(([, d]) => d.verdict === 'xexch50-blocked');
      assert.equal(blocked.length, 4);
      for (const [name, d] of blocked) {
        assert.ok(d.counts.xexch50_blocked > 100, `${name} blocked ${d.counts.xexch50_blocked}`);
        assert.ok(d.counts.ndr > 0 && d.counts.undelivered > 0, `${name} ndr/undelivered`);
        assert.equal(d.counts.firewall_events, d.firewall_hosts.length > 0 ? d.counts.xexch50_blocked : 0, name);
        assert.equal(d.confidence, d.firewall_hosts.length > 0 ? 'high' : 'medium', name);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the committed ground-truth.json is the recount of the committed files', () => {
  const truth = JSON.parse(readFileSync(join(committed, 'ground-truth.json'), 'utf8'));
  const world = buildWorld(truth.seed, truth.scale, new Random(truth.seed));
  const counted = recount(committed, world);
  assert.equal(Object.keys(truth.domains).length, world.domains.length);
  for (const [domain, c] of counted.domains) assert.deepEqual(truth.domains[domain].counts, c, domain);
  assert.equal(truth.evidence_end, new Date(counted.evidenceEndMs).toISOString());
  // The firewall hosts' clocks are 1-5 minutes off, one ahead of EXCH01 and one behind.
  const offsets = [truth.firewall_hosts['ISA2K-GW'].clock_offset_seconds, truth.firewall_hosts['ISA06-EDGE'].clock_offset_seconds];
  for (const o of offsets) assert.ok(Math.abs(o) >= 60 && Math.abs(o) <= 290, `offset ${o}`);
  assert.equal(Math.sign(offsets[0]), -Math.sign(offsets[1]));
  assert.equal(truth.firewall_hosts['ISA2K-GW'].format, 'evt');
  assert.equal(truth.firewall_hosts['ISA06-EDGE'].format, 'evtx');
  const map = readFileSync(join(committed, 'firewall-map.txt'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  assert.deepEqual(
    map,
    Object.entries(truth.firewall_hosts).map(([h, v]) => `${h}=${(v as { domains: string[] }).domains.join(',')}`),
  );
});
