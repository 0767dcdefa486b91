// `edgelog schedule --cron EXPR | --systemd [EXPR] | --windows [EXPR] [--install]`: prints (and
// for cron and systemd, installs for the current user) the entry that runs `edgelog audit` with
// this database and config, by absolute paths, so it works from the scheduler's empty environment.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CRON, cronEntry, parseCron, systemdUnits, windowsTask, type AuditCommand } from '../../audit/schedule.js';
import { installCrontab, installSystemd } from '../../audit/schedule-install.js';
import { resolveDbPath } from '../../store/store.js';
import { globals } from '../context.js';
import { EdgelogError } from '../errors.js';

interface ScheduleFlags {
  cron?: string | true;
  systemd?: string | true;
  windows?: string | true;
  install?: boolean;
  config?: string;
  out?: string;
}

function auditCommand(cmd: Command, paths: string[], flags: ScheduleFlags): AuditCommand {
  const args = ['--db', resolveDbPath(globals(cmd).db), 'audit'];
  if (flags.config !== undefined) args.push('--config', resolve(flags.config));
  if (flags.out !== undefined) args.push('--out', resolve(flags.out));
  args.push(...paths.map((p) => resolve(p)));
  if (flags.config === undefined && paths.length === 0) {
    throw new EdgelogError('schedule: give --config FILE or the folders to audit, so the scheduled audit knows what to read');
  }
  return { node: process.execPath, script: realpathSync(process.argv[1]), args, workingDirectory: process.cwd() };
}

export function register(program: Command): void {
  program
    .command('schedule')
    .description('print (or --install) a cron entry, systemd user timer or Windows scheduled task that runs the audit')
    .argument('[paths...]', 'folders to audit (besides those of --config)')
    .option('--cron [expr]', `crontab entry for the current user (default schedule "${DEFAULT_CRON}")`)
    .option('--systemd [expr]', 'systemd user service + timer (schedule as a cron expression)')
    .option('--windows [expr]', 'schtasks /Create command line and Task Scheduler XML (fixed time, daily or on weekdays)')
    .option('--install', 'install it: user crontab, or ~/.config/systemd/user (+ systemctl --user enable --now)')
    .option('--config <file>', 'the audit config file the scheduled run uses')
    .option('--out <dir>', 'report folder of the scheduled run (default: the config\'s)')
    .action((paths: string[], flags: ScheduleFlags, cmd: Command) => {
      const targets = (['cron', 'systemd', 'windows'] as const).filter((t) => flags[t] !== undefined);
      if (targets.length !== 1) throw new EdgelogError('schedule: give exactly one of --cron, --systemd, --windows');
      const target = targets[0];
      const value = flags[target];
      const schedule = parseCron(typeof value === 'string' ? value : DEFAULT_CRON);
      const command = auditCommand(cmd, paths, flags);
      const out = (text: string): void => {
        process.stdout.write(text);
      };
      if (target === 'cron') {
        const entry = cronEntry(schedule, command);
        if (!flags.install) return out(entry);
        installCrontab(entry);
        return out(`installed in the crontab of the current user:\n${entry}`);
      }
      if (target === 'systemd') {
        const units = systemdUnits(schedule, command);
        if (!flags.install) {
          return out(`# ~/.config/systemd/user/edgelog-audit.service\n${units.service}\n# ~/.config/systemd/user/edgelog-audit.timer\n${units.timer}`);
        }
        const installed = installSystemd(units);
        out(`wrote ${installed.service}\nwrote ${installed.timer}\n`);
        if (installed.activationProblem === null) return out('enabled and started edgelog-audit.timer\n');
        process.stderr.write(
          `warning: ${installed.activationProblem}\nactivate it yourself: systemctl --user daemon-reload && systemctl --user enable --now edgelog-audit.timer\n` +
            '(to run while you are logged out: loginctl enable-linger)\n',
        );
        return;
      }
      if (flags.install) throw new EdgelogError('schedule --windows --install: run the printed schtasks command on the Windows host instead');
      const task = windowsTask(schedule, command);
      out(`${task.schtasks}\n\n<!-- or save this as edgelog-audit.xml and run: schtasks /Create /TN "edgelog audit" /XML edgelog-audit.xml -->\n${task.xml}`);
    });
}
