// End to end: ingest a generated scenario (fixtures/generate) and compare `diagnose` with the
// scenario's ground-truth.json, domain by domain (verdict, confidence, every count), and the
// firewall hosts' clock offsets with the true ones. Once on the bundled scenario (also through the
// CLI), once on a scenario generated with another seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { openStore } from '../../src/store/store.js';
import { ingestPaths } from '../../src/store/ingest.js';
import { parseZone } from '../../src/util/timezone.js';
import { diagnose, parseFirewallMap, type DiagnosisResult } from '../../src/analysis/diagnose.js';
import type { DomainCounts } from '../../src/analysis/findings.js';
import { REPO, runCli, tempDir } from '../helpers/cli.js';

interface GroundTruth {
  evidence_end: string;
  domains: Record<string, { verdict: string; confidence: string; counts: DomainCounts; firewall_hosts: string[] }>;
  firewall_hosts: Record<string, { domains: string[]; clock_offset_seconds: number }>;
}

const BUNDLED = join(REPO, 'fixtures/scenario');

/** Ingests a scenario folder into a new store file; returns its path. The queue exports log local time. */
async function ingestScenario(dir: string): Promise<string> {
  const db = join(tempDir('edgelog-scenario-'), 'scenario.duckdb');
  const store = await openStore(db);
  try {
    const summaries = await ingestPaths(store, [dir], { tz: parseZone('America/New_York') });
    assert.ok(summaries.some((s) => s.status === 'ok'), 'something was ingested');
  } finally {
    await store.close();
  }
  return db;
}

async function diagnoseStore(db: string, firewallMap?: Map<string, string[]>): Promise<DiagnosisResult> {
  const store = await openStore(db, { readOnly: true });
  try {
    return await diagnose(store.connection, { firewallMap });
  } finally {
    await store.close();
  }
}

function assertMatchesTruth(result: DiagnosisResult, truth: GroundTruth, withMap: boolean): void {
  assert.deepEqual(result.findings.map((f) => f.domain).sort(), Object.keys(truth.domains).sort(), 'one finding per remote domain');
  for (const f of result.findings) {
    const expected = truth.domains[f.domain];
    assert.deepEqual(
      { verdict: f.verdict, confidence: f.confidence, counts: f.counts },
      { verdict: expected.verdict, confidence: expected.confidence, counts: expected.counts },
      `${f.domain}: ${JSON.stringify(f.evidence.reasons)}`,
    );
  }
  for (const [host, expected] of Object.entries(truth.firewall_hosts)) {
    const got = result.firewallHosts.find((h) => h.host === host);
    assert.ok(got, `firewall host ${host} reported`);
    assert.equal(got.method, withMap ? 'map' : 'matching');
    assert.equal(got.matched, got.events, `${host}: every XEXCH50 event paired with an attempt`);
    assert.ok(
      Math.abs((got.clockOffsetSeconds ?? Infinity) - expected.clock_offset_seconds) <= 5,
      `${host}: offset ${got.clockOffsetSeconds} s, truth ${expected.clock_offset_seconds} s`,
    );
    // Matching names the domains whose attempts its events paired with; the map names them all.
    const blocked = expected.domains.filter((d) => truth.domains[d].counts.firewall_events > 0);
    assert.deepEqual(got.domains, withMap ? expected.domains : blocked);
  }
  assert.equal(result.window.until, truth.evidence_end, 'the evidence ends at the last logged event');
}

test('bundled scenario: diagnose equals the ground truth for every domain, with and without the firewall map', async () => {
  const truth = JSON.parse(readFileSync(join(BUNDLED, 'ground-truth.json'), 'utf8')) as GroundTruth;
  const db = await ingestScenario(BUNDLED);
  assertMatchesTruth(await diagnoseStore(db), truth, false);
  const map = parseFirewallMap(readFileSync(join(BUNDLED, 'firewall-map.txt'), 'utf8'), 'firewall-map.txt');
  const mapped = await diagnoseStore(db, map);
  assertMatchesTruth(mapped, truth, true);
  assert.ok(mapped.notes.some((n) => n.includes('TURN')), 'the other-verb SmtpEvt is explained');

  // The CLI: troubled domains only, exit 1; --all lists every domain; bad options exit 2.
  const cli = await runCli(['--db', db, 'diagnose', '--format', 'json']);
  assert.equal(cli.code, 1, cli.stderr);
  const json = JSON.parse(cli.stdout) as { findings: { domain: string; verdict: string; counts: DomainCounts; remediation: string | null }[]; firewall_hosts: unknown[]; window: unknown; notes: string[] };
  const troubled = Object.entries(truth.domains).filter(([, d]) => d.verdict !== 'healthy').map(([name]) => name).sort();
  assert.deepEqual(json.findings.map((f) => f.domain).sort(), troubled);
  for (const f of json.findings) {
    assert.deepEqual(f.counts, truth.domains[f.domain].counts);
    assert.ok(f.remediation && f.remediation.length > 0);
  }
  assert.equal(json.firewall_hosts.length, 2);
  const all = await runCli(['--db', db, 'diagnose', '--all', '--format', 'json', '--firewall-map', join(BUNDLED, 'firewall-map.txt')]);
  assert.equal(all.code, 1);
  assert.equal((JSON.parse(all.stdout) as { findings: unknown[] }).findings.length, Object.keys(truth.domains).length);
  const healthy = Object.entries(truth.domains).find(([, d]) => d.verdict === 'healthy')![0];
  const one = await runCli(['--db', db, 'diagnose', '--domain', healthy, '--format', 'md']);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stdout, new RegExp(`\\| ${healthy.replaceAll('.', '\\.')} \\| healthy \\| high \\|`));
  for (const bad of [['--skew', 'soon'], ['--since', 'yesterday'], ['--format', 'csv'], ['--firewall-map', join(BUNDLED, 'README.md')]]) {
    const r = await runCli(['--db', db, 'diagnose', ...bad]);
    assert.equal(r.code, 2, `${bad.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, bad[0] === '--firewall-map' ? /README\.md:3: expected HOST=domain\[,domain\]/ : new RegExp(`^error: ${bad[0]} ${bad[1]}`));
  }
});

test('a scenario generated with another seed: diagnose equals its ground truth', async () => {
  const dir = tempDir('edgelog-seed7-');
  const gen = spawnSync(process.execPath, ['--import', 'tsx', 'fixtures/generate/main.ts', '--seed', '7', '--out', dir], { cwd: REPO, encoding: 'utf8' });
  assert.equal(gen.status, 0, gen.stderr);
  const truth = JSON.parse(readFileSync(join(dir, 'ground-truth.json'), 'utf8')) as GroundTruth;
  const db = await ingestScenario(dir);
  assertMatchesTruth(await diagnoseStore(db), truth, false);
});
