// Shared by the benchmarks: medians, and running this benchmark file again as a child process
// (one measurement per fresh process, so peak RSS and warm-up are per run).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs `script --child ...args` under tsx; the child prints its result as JSON on its last stdout line. */
export function childResult<T>(scriptUrl: string, args: readonly string[]): T {
  const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(scriptUrl), '--child', ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`child ${args.join(' ')} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as T;
}
