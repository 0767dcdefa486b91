// `edgelog schedule`: the entries for cron, systemd and Windows from one cron expression, and
// --install against a fake crontab / systemctl and a temporary HOME (never the real ones).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cronEntry, mergeCrontab, onCalendar, parseCron, systemdUnits, windowsTask, type AuditCommand } from '../../src/audit/schedule.js';
import { CLI, runCli, tempDir } from '../helpers/cli.js';

const command: AuditCommand = {
  node: '/usr/bin/node',
  script: '/opt/edge log/main.js',
  args: ['--db', '/srv/edge.duckdb', 'audit', '--config', "/etc/edgelog/it's 100%.json"],
  workingDirectory: '/srv',
};

test('cron expressions are validated field by field', () => {
  assert.deepEqual(parseCron(' 0  2 * * * ').fields, ['0', '2', '*', '*', '*']);
  assert.throws(() => parseCron('0 2 * *'), /expected 5 fields .* got 4/);
  assert.throws(() => parseCron('0 24 * * *'), /hour "24": out of range 0-23/);
  assert.throws(() => parseCron('0 2 * * MON'), /day of week "MON": expected \*, N, N-M/);
  assert.throws(() => parseCron('*/0 2 * * *'), /minute "\*\/0": step must be at least 1/);
  assert.throws(() => parseCron('0 5-3 * * *'), /hour "5-3": range end before its start/);
});

test('systemd OnCalendar says the same as the cron expression', () => {
  assert.equal(onCalendar(parseCron('0 2 * * *')), '*-*-* 2:0:00');
  assert.equal(onCalendar(parseCron('30 1 * * 1-5')), 'Mon..Fri *-*-* 1:30:00');
  assert.equal(onCalendar(parseCron('*/15 8-18 * * 0,6')), 'Sun,Sat *-*-* 8..18:0/15:00');
  assert.equal(onCalendar(parseCron('0 3 1,15 */2 *')), '*-1/2-1,15 3:0:00');
  assert.throws(() => onCalendar(parseCron('0 3 1 * 1')), /no exact systemd equivalent/);
});

test('the cron entry quotes for the shell and escapes % ; the crontab keeps foreign lines', () => {
  const entry = cronEntry(parseCron('0 2 * * *'), command);
  assert.equal(
    entry,
    '# BEGIN edgelog audit (managed by `edgelog schedule --install`)\n' +
      "0 2 * * * cd /srv && /usr/bin/node '/opt/edge log/main.js' --db /srv/edge.duckdb audit --config '/etc/edgelog/it'\\''s 100\\%.json'\n" +
      '# END edgelog audit\n',
  );
  const before = `MAILTO=ops@example.org\n15 * * * * /usr/local/bin/rotate\n${cronEntry(parseCron('0 4 * * *'), command)}# trailing comment\n`;
  const merged = mergeCrontab(before, entry);
  assert.equal(merged, `MAILTO=ops@example.org\n15 * * * * /usr/local/bin/rotate\n# trailing comment\n${entry}`);
  assert.equal(mergeCrontab(merged, entry), merged);
  assert.equal(mergeCrontab('', entry), entry);
});

test('systemd units: a oneshot service that treats exit 1 as success, and a persistent timer', () => {
  const { service, timer } = systemdUnits(parseCron('30 1 * * 1-5'), command);
  assert.match(service, /\nExecStart=\/usr\/bin\/node "\/opt\/edge log\/main\.js" --db \/srv\/edge\.duckdb audit --config "\/etc\/edgelog\/it's 100%%\.json"\n/);
  assert.match(service, /\nType=oneshot\n/);
  assert.match(service, /\nSuccessExitStatus=1\n/);
  assert.match(service, /\nWorkingDirectory=\/srv\n/);
  assert.match(timer, /\nOnCalendar=Mon\.\.Fri \*-\*-\* 1:30:00\nPersistent=true\n/);
  assert.match(timer, /\nWantedBy=timers\.target\n/);
});

test('Windows: schtasks line with the command line quoted as Windows parses it, and the task XML', () => {
  const win: AuditCommand = {
    node: 'C:\\Program Files\\nodejs\\node.exe',
    script: 'C:\\edgelog\\dist\\cli\\main.js',
    args: ['--db', 'D:\\logs\\edge.duckdb', 'audit', '--config', 'D:\\logs\\audit & co.json'],
    workingDirectory: 'D:\\logs',
  };
  const daily = windowsTask(parseCron('0 2 * * *'), win);
  assert.equal(
    daily.schtasks,
    'schtasks /Create /TN "edgelog audit" /SC DAILY /ST 02:00 /TR "\\"C:\\Program Files\\nodejs\\node.exe\\" C:\\edgelog\\dist\\cli\\main.js --db D:\\logs\\edge.duckdb audit --config \\"D:\\logs\\audit & co.json\\"" /F',
  );
  assert.match(daily.xml, /<ScheduleByDay><DaysInterval>1<\/DaysInterval><\/ScheduleByDay>/);
  assert.match(daily.xml, /<StartBoundary>2000-01-01T02:00:00<\/StartBoundary>/);
  assert.match(daily.xml, /<Command>C:\\Program Files\\nodejs\\node\.exe<\/Command>/);
  assert.match(daily.xml, /<Arguments>C:\\edgelog\\dist\\cli\\main\.js --db D:\\logs\\edge\.duckdb audit --config &quot;D:\\logs\\audit &amp; co\.json&quot;<\/Arguments>/);
  const weekdays = windowsTask(parseCron('45 23 * * 1-3,5'), win);
  assert.match(weekdays.schtasks, / \/SC WEEKLY \/D MON,TUE,WED,FRI \/ST 23:45 /);
  assert.match(weekdays.xml, /<DaysOfWeek><Monday \/><Tuesday \/><Wednesday \/><Friday \/><\/DaysOfWeek>/);
  assert.throws(() => windowsTask(parseCron('*/10 * * * *'), win), /fixed time every day or on some weekdays/);
});

function fakeTools(dir: string): Record<string, string> {
  const crontab = join(dir, 'fake-crontab');
  writeFileSync(
    crontab,
    '#!/bin/sh\nf="$FAKE_CRONTAB_FILE"\ncase "$1" in\n  -l) if [ -f "$f" ]; then cat "$f"; else echo "no crontab for tester" >&2; exit 1; fi;;\n  -) cat > "$f";;\n  *) exit 3;;\nesac\n',
  );
  const systemctl = join(dir, 'fake-systemctl');
  writeFileSync(systemctl, '#!/bin/sh\necho "$@" >> "$FAKE_SYSTEMCTL_LOG"\n');
  chmodSync(crontab, 0o755);
  chmodSync(systemctl, 0o755);
  return {
    HOME: join(dir, 'home'),
    XDG_CONFIG_HOME: '',
    EDGELOG_CRONTAB: crontab,
    EDGELOG_SYSTEMCTL: systemctl,
    FAKE_CRONTAB_FILE: join(dir, 'crontab.txt'),
    FAKE_SYSTEMCTL_LOG: join(dir, 'systemctl.log'),
  };
}

test('schedule --cron --install merges into the user crontab through the crontab program', async () => {
  const dir = tempDir();
  const env = fakeTools(dir);
  writeFileSync(env.FAKE_CRONTAB_FILE, 'MAILTO=ops@example.org\n5 * * * * /bin/true\n');
  const config = join(dir, 'audit.json');
  const args = ['--db', join(dir, 'e.duckdb'), 'schedule', '--cron', '15 3 * * *', '--config', config, '--install'];
  const first = await runCli(args, { cwd: dir, env });
  assert.equal(first.code, 0, first.stderr);
  const expectedLine = `15 3 * * * cd ${dir} && ${process.execPath} ${realpathSync(CLI)} --db ${join(dir, 'e.duckdb')} audit --config ${config}`;
  const installed = readFileSync(env.FAKE_CRONTAB_FILE, 'utf8');
  assert.equal(
    installed,
    `MAILTO=ops@example.org\n5 * * * * /bin/true\n# BEGIN edgelog audit (managed by \`edgelog schedule --install\`)\n${expectedLine}\n# END edgelog audit\n`,
  );
  const second = await runCli(args, { cwd: dir, env });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(readFileSync(env.FAKE_CRONTAB_FILE, 'utf8'), installed);
});

test('schedule --systemd --install writes the units under the given HOME and enables the timer', async () => {
  const dir = tempDir();
  const env = fakeTools(dir);
  const r = await runCli(['--db', join(dir, 'e.duckdb'), 'schedule', '--systemd', '--install', join(dir, 'drop')], { cwd: dir, env });
  assert.equal(r.code, 0, r.stderr);
  const unitDir = join(env.HOME, '.config/systemd/user');
  assert.match(readFileSync(join(unitDir, 'edgelog-audit.timer'), 'utf8'), /\nOnCalendar=\*-\*-\* 2:0:00\n/);
  assert.match(readFileSync(join(unitDir, 'edgelog-audit.service'), 'utf8'), new RegExp(`\\nExecStart=.* audit ${join(dir, 'drop')}\\n`));
  assert.equal(readFileSync(env.FAKE_SYSTEMCTL_LOG, 'utf8'), '--user daemon-reload\n--user enable --now edgelog-audit.timer\n');
  assert.equal(r.stdout, `wrote ${join(unitDir, 'edgelog-audit.service')}\nwrote ${join(unitDir, 'edgelog-audit.timer')}\nenabled and started edgelog-audit.timer\n`);
});

test('schedule without a target or without inputs is a usage error; nothing is installed', async () => {
  const dir = tempDir();
  const env = fakeTools(dir);
  const none = await runCli(['schedule', '--config', 'a.json'], { cwd: dir, env });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /give exactly one of --cron, --systemd, --windows/);
  const noInputs = await runCli(['schedule', '--cron', '--install'], { cwd: dir, env });
  assert.equal(noInputs.code, 2);
  assert.match(noInputs.stderr, /give --config FILE or the folders to audit/);
  assert.equal(existsSync(env.FAKE_CRONTAB_FILE), false);
  const windows = await runCli(['schedule', '--windows', '30 1 * * *', '--config', 'a.json'], { cwd: dir, env });
  assert.equal(windows.code, 0, windows.stderr);
  assert.match(windows.stdout, /^schtasks \/Create \/TN "edgelog audit" \/SC DAILY \/ST 01:30 \/TR /);
});
