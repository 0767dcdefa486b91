// Runs the built CLI (dist/cli/main.js, built by `npm test`) in a child process.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(REPO, 'dist/cli/main.js');
/** The shared corpus of real log files (CI has it beside the clone). */
export const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // The caller's EDGELOG_DB must not leak into tests: only options.env may set it.
    const env: Record<string, string | undefined> = { ...process.env, EDGELOG_DB: undefined, NO_COLOR: '1', ...options.env };
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? REPO, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** A fresh temporary folder for one test. */
export function tempDir(prefix = 'edgelog-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
