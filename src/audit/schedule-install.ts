// `edgelog schedule --install`: only the current user's own scheduler is touched. The crontab keeps
// every line it had (our block, between marker comments, is replaced); systemd units go to the
// user's ~/.config/systemd/user. The crontab and systemctl programs and the config folder come
// from the environment (EDGELOG_CRONTAB, EDGELOG_SYSTEMCTL, XDG_CONFIG_HOME, HOME), which is also
// how the tests point them at fakes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EdgelogError } from '../cli/errors.js';
import { mergeCrontab, UNIT_NAME } from './schedule.js';

export function installCrontab(entry: string, env: NodeJS.ProcessEnv = process.env): string {
  const crontab = env.EDGELOG_CRONTAB ?? 'crontab';
  const listed = spawnSync(crontab, ['-l'], { encoding: 'utf8', env });
  if (listed.error) throw new EdgelogError(`cannot run ${crontab}: ${listed.error.message}`);
  let current = '';
  if (listed.status === 0) current = listed.stdout;
  else if (!/no crontab/i.test(listed.stderr)) {
    throw new EdgelogError(`${crontab} -l failed (exit ${listed.status}): ${listed.stderr.trim()}`);
  }
  const merged = mergeCrontab(current, entry);
  const written = spawnSync(crontab, ['-'], { encoding: 'utf8', input: merged, env });
  if (written.error || written.status !== 0) {
    throw new EdgelogError(`${crontab} - failed (exit ${written.status}): ${(written.stderr || written.error?.message || '').trim()}`);
  }
  return merged;
}

export interface SystemdInstall {
  service: string;
  timer: string;
  /** null when activated, else why not (the files are in place; the commands to run are printed). */
  activationProblem: string | null;
}

function userUnitDir(env: NodeJS.ProcessEnv = process.env): string {
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(configHome, 'systemd', 'user');
}

export function installSystemd(units: { service: string; timer: string }, env: NodeJS.ProcessEnv = process.env): SystemdInstall {
  const dir = userUnitDir(env);
  mkdirSync(dir, { recursive: true });
  const service = join(dir, `${UNIT_NAME}.service`);
  const timer = join(dir, `${UNIT_NAME}.timer`);
  writeFileSync(service, units.service);
  writeFileSync(timer, units.timer);
  const systemctl = env.EDGELOG_SYSTEMCTL ?? 'systemctl';
  for (const args of [['--user', 'daemon-reload'], ['--user', 'enable', '--now', `${UNIT_NAME}.timer`]]) {
    const run = spawnSync(systemctl, args, { encoding: 'utf8', env });
    if (run.error || run.status !== 0) {
      return { service, timer, activationProblem: `${systemctl} ${args.join(' ')} failed: ${(run.stderr || run.error?.message || '').trim()}` };
    }
  }
  return { service, timer, activationProblem: null };
}
