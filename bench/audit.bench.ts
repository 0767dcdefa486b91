// The nightly re-run: an audit over inputs that did not change since the last one must cost a small
// fraction of the first audit (target <= 5 %). Both are timed in the same process on the bundled
// scenario, alternating (first run on a fresh database, then the re-run on it), medians of 5; the
// CLI pair (node start-up and module loading included; re-run median of 3) is shown for reference.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAuditConfig } from '../src/audit/config.js';
import { runAudit, type AuditSettings } from '../src/audit/run.js';
import { median } from './lib.js';

const repo = fileURLToPath(new URL('../', import.meta.url));
const config = loadAuditConfig(join(repo, 'docs/scenario-audit.json'));
const ROUNDS = 5;
const CLI_RERUNS = 3;

function settings(dir: string): AuditSettings {
  return { ...config, db: join(dir, 'bench.duckdb'), out: join(dir, 'reports'), defaultTz: null };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

const first: number[] = [];
const rerun: number[] = [];
let reused = true;
for (let round = 0; round < ROUNDS; round++) {
  const dir = mkdtempSync(join(tmpdir(), 'edgelog-bench-audit-'));
  try {
    const s = settings(dir);
    first.push(await timed(() => runAudit(s)));
    rerun.push(
      await timed(async () => {
        const outcome = await runAudit(s);
        reused &&= outcome.report.diagnosisReused && outcome.report.folders.every((f) => f.unchanged === f.found - (f.byStatus.unrecognised ?? 0));
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cli = (dir: string): number => {
  const start = performance.now();
  const r = spawnSync(process.execPath, [join(repo, 'dist/cli/main.js'), '--db', join(dir, 'cli.duckdb'), 'audit', '--config', join(repo, 'docs/scenario-audit.json'), '--out', join(dir, 'reports')]);
  if (r.status !== 0 && r.status !== 1) throw new Error(`audit failed: ${r.stderr}`);
  return performance.now() - start;
};
const cliDir = mkdtempSync(join(tmpdir(), 'edgelog-bench-audit-cli-'));
const cliFirst = cli(cliDir);
const cliReruns = Array.from({ length: CLI_RERUNS }, () => cli(cliDir));
const cliRerun = median(cliReruns);
rmSync(cliDir, { recursive: true, force: true });

const ratio = median(rerun) / median(first);
console.log(`audit, bundled scenario, ${ROUNDS} alternating rounds (medians):`);
console.log(`  first run      ${median(first).toFixed(0)} ms   (runs: ${first.map((v) => v.toFixed(0)).join(', ')})`);
console.log(`  unchanged re-run ${median(rerun).toFixed(0)} ms   (runs: ${rerun.map((v) => v.toFixed(0)).join(', ')}; nothing re-read, diagnosis reused: ${reused})`);
console.log(`  re-run / first = ${(ratio * 100).toFixed(1)} % (target <= 5 %) ${ratio <= 0.05 ? 'OK' : 'OVER TARGET'}`);
console.log(
  `  CLI (process start included): first ${cliFirst.toFixed(0)} ms, re-run ${cliRerun.toFixed(0)} ms (runs: ${cliReruns.map((v) => v.toFixed(0)).join(', ')}) = ${((cliRerun / cliFirst) * 100).toFixed(1)} %`,
);
