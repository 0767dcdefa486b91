// Exchange 2003 tracking log, ~500 MB: our streaming ingest (reader → store) against DuckDB's own
// read_csv with explicit VARCHAR columns into a table, on the same file. Each run is a fresh process
// of plain Node (bench/load-child.mjs) with a fresh database, so peak RSS is per run; runs alternate;
// medians of 3 are compared. The reader alone (parse, no store; a child under tsx) is timed too, to
// show which half of our ingest costs what.
// Target (issue 4): ours ≥ 0.5× DuckDB's rate, our peak RSS ≤ 256 MB.
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { childResult, describeOurs, loadInChild, median, timeReader, type LoadJob, type LoadResult, type OursResult } from './lib.js';

const WORK = fileURLToPath(new URL('./.work/', import.meta.url));
const LOG = join(WORK, 'tracking2003-500mb.log');
const TARGET_BYTES = 500 * 1024 * 1024;
const RUNS = 3;

const COLUMNS = [
  'Date', 'Time', 'client-ip', 'Client-hostname', 'Partner-Name', 'Server-hostname', 'server-IP', 'Recipient-Address',
  'Event-ID', 'MSGID', 'Priority', 'Recipient-Report-Status', 'total-bytes', 'Number-Recipients', 'Origination-Time',
  'Encryption', 'service-Version', 'Linked-MSGID', 'Message-Subject', 'Sender-Address',
];

/** Writes a deterministic tracking log: a KB 818222-like mix of events, domains and sizes. */
function generate(path: string): void {
  const domains = ['partner.example', 'fabrikam.example', 'northwind.example', 'contoso.com', 'adatum.example', 'tailspin.example'];
  const events = ['1019', '1033', '1034', '1020', '1031', '1028', '1020', '1030', '1027', '9'];
  const subjects = ['Quarterly numbers', 'Re: plans', 'Invoice 2006-114', 'Meeting notes', 'FW: travel'];
  const partial = `${path}.partial`;
  const fd = openSync(partial, 'w');
  writeSync(fd, `# Message Tracking Log File\r\n# Exchange System Attendant Version 6.5.7638.1\r\n# ${COLUMNS.join('\t')}\r\n`);
  let written = 0;
  let n = 0;
  const start = Date.UTC(2006, 2, 14);
  while (written < TARGET_BYTES) {
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++, n++) {
      const t = new Date(start + n * 50);
      const date = `${t.getUTCFullYear()}-${t.getUTCMonth() + 1}-${t.getUTCDate()}`;
      const time = `${t.getUTCHours()}:${t.getUTCMinutes()}:${t.getUTCSeconds()} GMT`;
      const domain = domains[n % domains.length];
      const event = events[(n >> 1) % events.length];
      const msg = `<EXCH01${(n >> 3).toString(16).padStart(10, '0')}@exch01.contoso.local>`;
      lines.push(
        [date, time, '10.1.1.20', 'EXCH01', event === '1020' || event === '1031' ? `mx.${domain}` : '-', 'EXCH01', '10.1.1.20',
          `user${n % 997}@${domain}`, event, msg, '0', event === '1030' ? '1' : '-', String(1000 + (n % 50_000)), '1',
          `${date} ${time}`, '0', 'Version: 6.0.3790.1830', '-', subjects[n % subjects.length], `sender${n % 101}@contoso.com`].join('\t'),
      );
    }
    const chunk = lines.join('\r\n') + '\r\n';
    writeSync(fd, chunk);
    written += Buffer.byteLength(chunk);
  }
  closeSync(fd);
  renameSync(partial, path);
}

async function runReaderOnly(log: string): Promise<LoadResult> {
  const { exchange2003TrackingReader } = await import('../src/readers/tracking2003/reader.js');
  const { seconds, records } = await timeReader(exchange2003TrackingReader, log);
  return { seconds, rows: records, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

function load<T extends LoadResult>(job: LoadJob): T {
  return loadInChild<T>(LOG, join(WORK, `${job.mode}.duckdb`), job);
}

if (process.argv[2] === '--child') {
  console.log(JSON.stringify(await runReaderOnly(process.argv[3])));
} else {
  mkdirSync(WORK, { recursive: true });
  if (!existsSync(LOG)) {
    const started = performance.now();
    generate(LOG);
    console.log(`generated ${LOG} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const megabytes = statSync(LOG).size / 1e6;
  const ours: OursResult[] = [];
  const duck: LoadResult[] = [];
  const parse: LoadResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(load<OursResult>({ mode: 'ours', format: 'exchange2003-tracking', countSql: 'SELECT count(*)::BIGINT AS n FROM tracking' }));
    duck.push(load({ mode: 'duckdb', delimiter: '\t', columnCount: COLUMNS.length }));
    parse.push(childResult<LoadResult>(import.meta.url, [LOG]));
    console.log(
      `run ${i + 1}: ours ${ours[i].seconds.toFixed(2)} s (${ours[i].maxRssMb.toFixed(0)} MB RSS), duckdb ${duck[i].seconds.toFixed(2)} s, reader alone ${parse[i].seconds.toFixed(2)} s`,
    );
  }
  for (const other of [duck[0], parse[0]]) {
    if (other.rows !== ours[0].rows) throw new Error(`row counts differ: ours ${ours[0].rows}, other ${other.rows}`);
  }
  const oursSeconds = median(ours.map((r) => r.seconds));
  const duckSeconds = median(duck.map((r) => r.seconds));
  const rows = ours[0].rows;
  const peakRss = Math.max(...ours.map((r) => r.maxRssMb));
  const ratio = duckSeconds / oursSeconds;
  console.log(`file: ${megabytes.toFixed(0)} MB, ${rows} rows`);
  console.log(`ours:   ${(megabytes / oursSeconds).toFixed(1)} MB/s, ${Math.round(rows / oursSeconds)} rows/s (median of ${RUNS})`);
  console.log(`duckdb: ${(megabytes / duckSeconds).toFixed(1)} MB/s, ${Math.round(rows / duckSeconds)} rows/s (read_csv, VARCHAR columns)`);
  const parseSeconds = median(parse.map((r) => r.seconds));
  console.log(`reader alone (no store): ${(megabytes / parseSeconds).toFixed(1)} MB/s, ${Math.round(rows / parseSeconds)} rows/s, peak RSS ${Math.max(...parse.map((r) => r.maxRssMb)).toFixed(0)} MB`);
  console.log(`ratio ours/duckdb: ${ratio.toFixed(2)} (target ≥ 0.50)  peak RSS ours: ${peakRss.toFixed(0)} MB (target ≤ 256)`);
  for (const line of describeOurs(ours, megabytes)) console.log(line);
}
