// `edgelog schedule`: the entry that runs the audit unattended, for cron, a systemd user timer or
// the Windows Task Scheduler, from one cron expression. Only what each target can express exactly
// is accepted: a schedule that would run at other times than the cron expression says is refused.
import { EdgelogError } from '../cli/errors.js';

/** What the scheduler runs: node, the edgelog script, and the arguments. */
export interface AuditCommand {
  node: string;
  script: string;
  args: string[];
  workingDirectory: string;
}

export const DEFAULT_CRON = '0 2 * * *';
export const TASK_NAME = 'edgelog audit';
export const UNIT_NAME = 'edgelog-audit';
const BEGIN_MARK = '# BEGIN edgelog audit (managed by `edgelog schedule --install`)';
const END_MARK = '# END edgelog audit';

interface Field {
  name: string;
  min: number;
  max: number;
}

const FIELDS: Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
];

export interface CronSchedule {
  expression: string;
  /** The five fields as written, validated. */
  fields: string[];
}

const PART = /^(?:\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/;

export function parseCron(expression: string): CronSchedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new EdgelogError(`cron expression "${expression}": expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`);
  }
  fields.forEach((text, i) => {
    const field = FIELDS[i];
    for (const part of text.split(',')) {
      const m = PART.exec(part);
      const bad = (why: string) => new EdgelogError(`cron expression "${expression}": ${field.name} "${part}": ${why}`);
      if (!m) throw bad('expected *, N, N-M, */S or N-M/S (names like MON are not supported; use numbers)');
      for (const n of [m[1], m[2]]) {
        if (n !== undefined && (Number(n) < field.min || Number(n) > field.max)) throw bad(`out of range ${field.min}-${field.max}`);
      }
      if (m[2] !== undefined && Number(m[2]) < Number(m[1])) throw bad('range end before its start');
      if (m[3] !== undefined && Number(m[3]) === 0) throw bad('step must be at least 1');
    }
  });
  return { expression: fields.join(' '), fields };
}

// ---- cron ----------------------------------------------------------------------------------

/** POSIX shell single quotes; `%` is special in crontab lines (it starts stdin) and is escaped. */
function shellQuote(arg: string): string {
  const quoted = /^[A-Za-z0-9_./:=@+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
  return quoted.replaceAll('%', '\\%');
}

export function cronEntry(schedule: CronSchedule, command: AuditCommand): string {
  const run = [command.node, command.script, ...command.args].map(shellQuote).join(' ');
  return `${BEGIN_MARK}\n${schedule.expression} cd ${shellQuote(command.workingDirectory)} && ${run}\n${END_MARK}\n`;
}

/** The crontab with our block replaced (or appended); every other line kept as it was. */
export function mergeCrontab(current: string, entry: string): string {
  const kept: string[] = [];
  let inside = false;
  for (const line of current.split('\n')) {
    if (line === BEGIN_MARK) inside = true;
    else if (line === END_MARK) inside = false;
    else if (!inside) kept.push(line);
  }
  const body = kept.join('\n').replace(/\n+$/, '');
  return `${body === '' ? '' : `${body}\n`}${entry}`;
}

// ---- systemd -------------------------------------------------------------------------------

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function calendarField(text: string, first: number): string {
  return text
    .split(',')
    .map((part) => {
      const m = PART.exec(part)!;
      const base = m[1] === undefined ? (m[3] === undefined ? '*' : String(first)) : m[2] === undefined ? m[1] : `${m[1]}..${m[2]}`;
      return m[3] === undefined ? base : `${base}/${m[3]}`;
    })
    .join(',');
}

function weekdayField(text: string, expression: string): string {
  return text
    .split(',')
    .map((part) => {
      const m = PART.exec(part)!;
      if (m[3] !== undefined) throw new EdgelogError(`cron expression "${expression}": a step in the day of week has no systemd equivalent`);
      return m[2] === undefined ? WEEKDAYS[Number(m[1])] : `${WEEKDAYS[Number(m[1])]}..${WEEKDAYS[Number(m[2])]}`;
    })
    .join(',');
}

/** systemd OnCalendar= for a cron schedule. */
export function onCalendar(schedule: CronSchedule): string {
  const [minute, hour, dom, month, dow] = schedule.fields;
  if (dom !== '*' && dow !== '*') {
    // cron runs when EITHER matches, systemd only when both do.
    throw new EdgelogError(`cron expression "${schedule.expression}": both day of month and day of week restricted has no exact systemd equivalent`);
  }
  const date = `*-${calendarField(month, 1)}-${calendarField(dom, 1)}`;
  const time = `${calendarField(hour, 0)}:${calendarField(minute, 0)}:00`;
  return `${dow === '*' ? '' : `${weekdayField(dow, schedule.expression)} `}${date} ${time}`;
}

/** systemd command-line quoting: `%` and `$` are specifiers and variables, so they are doubled. */
function systemdQuote(arg: string): string {
  const escaped = arg.replaceAll('%', '%%').replaceAll('$', '$$$$');
  return /^[A-Za-z0-9_./:=@+-]+$/.test(escaped) ? escaped : `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

export function systemdUnits(schedule: CronSchedule, command: AuditCommand): { service: string; timer: string } {
  const exec = [command.node, command.script, ...command.args].map(systemdQuote).join(' ');
  const service = `[Unit]
Description=edgelog nightly mail-edge audit

[Service]
Type=oneshot
WorkingDirectory=${systemdQuote(command.workingDirectory)}
ExecStart=${exec}
# Exit 1 means "findings reported", not a failed run; 2 is a failure.
SuccessExitStatus=1
`;
  const timer = `[Unit]
Description=Run the edgelog audit (cron "${schedule.expression}")

[Timer]
OnCalendar=${onCalendar(schedule)}
Persistent=true

[Install]
WantedBy=timers.target
`;
  return { service, timer };
}

// ---- Windows Task Scheduler -----------------------------------------------------------------

/** Quoting as CommandLineToArgvW reads it back. */
function windowsQuote(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  return `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`;
}

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const xml = (text: string): string => text.replace(/[&<>"']/g, (c) => XML_ENTITIES[c]);
const XML_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const SCHTASKS_DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

interface WindowsTrigger {
  hour: number;
  minute: number;
  /** Day numbers 0-6, or null for every day. */
  days: number[] | null;
}

function windowsTrigger(schedule: CronSchedule): WindowsTrigger {
  const [minute, hour, dom, month, dow] = schedule.fields;
  if (!/^\d+$/.test(minute) || !/^\d+$/.test(hour) || dom !== '*' || month !== '*') {
    throw new EdgelogError(
      `cron expression "${schedule.expression}": the Windows entry supports a fixed time every day or on some weekdays (e.g. "30 1 * * 1-5")`,
    );
  }
  if (dow === '*') return { hour: Number(hour), minute: Number(minute), days: null };
  const days = new Set<number>();
  for (const part of dow.split(',')) {
    const m = PART.exec(part)!;
    if (m[1] === undefined || m[3] !== undefined) throw new EdgelogError(`cron expression "${schedule.expression}": use day numbers or ranges for the weekdays`);
    for (let d = Number(m[1]); d <= Number(m[2] ?? m[1]); d++) days.add(d % 7);
  }
  return { hour: Number(hour), minute: Number(minute), days: [...days].sort() };
}

export function windowsTask(schedule: CronSchedule, command: AuditCommand): { schtasks: string; xml: string } {
  const trigger = windowsTrigger(schedule);
  const at = `${String(trigger.hour).padStart(2, '0')}:${String(trigger.minute).padStart(2, '0')}`;
  const run = [command.node, command.script, ...command.args].map(windowsQuote).join(' ');
  const when = trigger.days === null ? '/SC DAILY' : `/SC WEEKLY /D ${trigger.days.map((d) => SCHTASKS_DAYS[d]).join(',')}`;
  // /TR takes one argument: the whole command line, its inner quotes escaped with backslashes.
  const schtasks = `schtasks /Create /TN ${windowsQuote(TASK_NAME)} ${when} /ST ${at} /TR ${windowsQuote(run)} /F`;
  const byWhen =
    trigger.days === null
      ? '<ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay>'
      : `<ScheduleByWeek><WeeksInterval>1</WeeksInterval><DaysOfWeek>${trigger.days.map((d) => `<${XML_DAYS[d]} />`).join('')}</DaysOfWeek></ScheduleByWeek>`;
  const document = `<?xml version="1.0" encoding="UTF-8"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>edgelog nightly mail-edge audit (cron "${xml(schedule.expression)}")</Description>
  </RegistrationInfo>
  <Triggers>
    <CalendarTrigger>
      <StartBoundary>2000-01-01T${at}:00</StartBoundary>
      ${byWhen}
    </CalendarTrigger>
  </Triggers>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <StartWhenAvailable>true</StartWhenAvailable>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <ExecutionTimeLimit>PT12H</ExecutionTimeLimit>
    <Enabled>true</Enabled>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>${xml(command.node)}</Command>
      <Arguments>${xml([command.script, ...command.args].map(windowsQuote).join(' '))}</Arguments>
      <WorkingDirectory>${xml(command.workingDirectory)}</WorkingDirectory>
    </Exec>
  </Actions>
</Task>
`;
  return { schtasks, xml: document };
}
