// IIS SMTPSVC W3C protocol log, ~500 MB: our streaming ingest (reader → smtp_lines + smtp_sessions in
// the store) against DuckDB's own read_csv with explicit VARCHAR columns into a table, on the same
// file. Each run is a fresh process of plain Node (bench/load-child.mjs) with a fresh database, so
// peak RSS is per run; runs alternate; medians of 3 are compared. Target (issue 4): ours ≥ 0.5× DuckDB's rate, RSS ≤ 256 MB.
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describeOurs, loadInChild, median, type LoadJob, type LoadResult, type OursResult } from './lib.js';

const WORK = fileURLToPath(new URL('./.work/', import.meta.url));
const LOG = join(WORK, 'iis-smtp-w3c-500mb.log');
const TARGET_BYTES = 500 * 1024 * 1024;
const RUNS = 3;
const FIELDS =
  'date time c-ip cs-username s-sitename s-computername s-ip s-port cs-method cs-uri-stem cs-uri-query sc-status sc-win32-status sc-bytes cs-bytes time-taken cs-version cs-host cs(User-Agent) cs(Cookie) cs(Referer)'.split(' ');

type Step = [kind: 'cmd' | 'rsp' | 'in', method: string, query: string, status?: number];

/** One outbound conversation (Exchange sending), as in log-formats.md §4.4–4.6. */
function outboundSession(n: number, domain: string): Step[] {
  const steps: Step[] = [
    ['rsp', '-', `220+mx.${domain}+Microsoft+ESMTP+MAIL+Service+ready`],
    ['cmd', 'EHLO', 'EXCH01.contoso.com'],
    ['rsp', '-', `250-mx.${domain}+Hello+[192.0.2.5]`],
    ['cmd', 'MAIL', `FROM:<user${n % 97}@contoso.com>+SIZE=${1000 + (n % 9000)}`],
    ['rsp', '-', '250+2.1.0+Sender+OK'],
    ['cmd', 'RCPT', `TO:<rcpt${n % 89}@${domain}>`],
    ['rsp', '-', '250+2.1.5+Recipient+OK'],
    ['cmd', 'XEXCH50', `${1000 + (n % 40)}+2`],
    ['rsp', '-', '354+Send+binary+data'],
  ];
  if (n % 50 === 7) return steps; // cut after 354: the KB 818222 picture
  steps.push(['rsp', '-', '250+XEXCH50+OK'], ['cmd', 'DATA', '-'], ['rsp', '-', '354+Start+mail+input'], ['rsp', '-', '250+2.6.0+Queued+mail+for+delivery']);
  steps.push(['cmd', 'QUIT', '-'], ['rsp', '-', `221+2.0.0+mx.${domain}+Service+closing+transmission+channel`]);
  return steps;
}

/** One inbound conversation (a remote client delivering to this server). */
function inboundSession(n: number, host: string): Step[] {
  const masked: Step[] = n % 9 === 0 ? [['in', 'xxxx', `+${host}`, 500]] : [];
  return [
    ...masked,
    ['in', 'HELO', `+${host}`, 250],
    ['in', 'MAIL', `+FROM:<sender${n % 113}@${host}>`, 250],
    ['in', 'RCPT', `+TO:<user${n % 97}@contoso.com>`, 250],
    ['in', 'DATA', `+<${n.toString(16)}@${host}>`, 250],
    ['in', 'QUIT', host, 240],
  ];
}

/** Writes a deterministic log: eight interleaved conversations at a time, one directive block. */
function generate(path: string): number {
  const domains = ['partner.example', 'fabrikam.example', 'northwind.example', 'adatum.example', 'tailspin.example'];
  const partial = `${path}.partial`;
  const fd = openSync(partial, 'w');
  writeSync(fd, `#Software: Microsoft Internet Information Services 6.0\r\n#Version: 1.0\r\n#Date: 2006-03-14 00:00:00\r\n#Fields: ${FIELDS.join(' ')}\r\n`);
  const slots: { ip: string; host: string; steps: Step[]; at: number }[] = [];
  let sessions = 0;
  const next = () => {
    const n = sessions++;
    const ip = `198.51.${(n >> 8) % 200}.${n % 250}`;
    const domain = domains[n % domains.length];
    return n % 2 === 0
      ? { ip, host: `mx.${domain}`, steps: outboundSession(n, domain), at: 0 }
      : { ip, host: `relay${n % 300}.example.org`, steps: inboundSession(n, `relay${n % 300}.example.org`), at: 0 };
  };
  for (let i = 0; i < 8; i++) slots.push(next());
  let written = 0;
  let lines = 0;
  const start = Date.UTC(2006, 2, 14);
  while (written < TARGET_BYTES) {
    const out: string[] = [];
    for (let i = 0; i < 10_000; i++, lines++) {
      const slot = slots[lines % slots.length];
      const [kind, method, query, status] = slot.steps[slot.at++];
      const t = new Date(start + Math.floor(lines / 20) * 1000).toISOString();
      const date = t.slice(0, 10);
      const time = t.slice(11, 19);
      out.push(
        kind === 'in'
          ? `${date} ${time} ${slot.ip} ${slot.host} SMTPSVC1 EXCH01 192.0.2.5 0 ${method} - ${query} ${status} 0 ${40 + query.length} ${12 + query.length} 0 SMTP - - - -`
          : `${date} ${time} ${slot.ip} ${kind === 'cmd' ? 'OutboundConnectionCommand' : 'OutboundConnectionResponse'} SMTPSVC1 EXCH01 - 25 ${method} - ${query} 0 0 ${query.length} 0 0 SMTP - - - -`,
      );
      if (slot.at === slot.steps.length) slots[lines % slots.length] = next();
    }
    const chunk = out.join('\r\n') + '\r\n';
    writeSync(fd, chunk);
    written += Buffer.byteLength(chunk);
  }
  closeSync(fd);
  renameSync(partial, path);
  return lines;
}

// One column more than #Fields names: the `#Fields:` line itself splits into that many tokens, and
// read_csv must get through it before the WHERE drops it (null_padding fills the data rows).
const READ_CSV: LoadJob = { mode: 'duckdb', delimiter: ' ', columnCount: FIELDS.length + 1 };
const OURS: LoadJob = { mode: 'ours', format: 'iis-smtp-w3c', countSql: 'SELECT count(*)::BIGINT AS n FROM smtp_lines' };

function load<T extends LoadResult>(job: LoadJob): T {
  return loadInChild<T>(LOG, join(WORK, `smtp-${job.mode}.duckdb`), job);
}

mkdirSync(WORK, { recursive: true });
if (!existsSync(LOG)) {
  const started = performance.now();
  const lines = generate(LOG);
  console.log(`generated ${LOG} (${lines} lines) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
if (process.argv[2] === '--generate-only') process.exit(0);
const megabytes = statSync(LOG).size / 1e6;
const ours: OursResult[] = [];
const duck: LoadResult[] = [];
for (let i = 0; i < RUNS; i++) {
  ours.push(load<OursResult>(OURS));
  duck.push(load(READ_CSV));
  console.log(`run ${i + 1}: ours ${ours[i].seconds.toFixed(2)} s (${ours[i].maxRssMb.toFixed(0)} MB RSS), duckdb ${duck[i].seconds.toFixed(2)} s`);
}
if (ours[0].rows !== duck[0].rows) throw new Error(`row counts differ: ours ${ours[0].rows} smtp_lines, duckdb ${duck[0].rows}`);
const oursSeconds = median(ours.map((r) => r.seconds));
const duckSeconds = median(duck.map((r) => r.seconds));
const rows = ours[0].rows;
const peakRss = Math.max(...ours.map((r) => r.maxRssMb));
console.log(`file: ${megabytes.toFixed(0)} MB, ${rows} lines (ours also derives smtp_sessions)`);
console.log(`ours:   ${(megabytes / oursSeconds).toFixed(1)} MB/s, ${Math.round(rows / oursSeconds)} lines/s (median of ${RUNS})`);
console.log(`duckdb: ${(megabytes / duckSeconds).toFixed(1)} MB/s, ${Math.round(rows / duckSeconds)} lines/s (read_csv, VARCHAR columns)`);
console.log(`ratio ours/duckdb: ${(duckSeconds / oursSeconds).toFixed(2)} (target ≥ 0.50)  peak RSS ours: ${peakRss.toFixed(0)} MB (target ≤ 256)`);
for (const line of describeOurs(ours, megabytes)) console.log(line);
