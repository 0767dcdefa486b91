// Event XML throughput: the event-xml reader (saxes + EventRecordBuilder → records) on a ~64 MB
// `wevtutil qe /f:xml`-shaped file made by repeating the events of win11-Security.windows.xml, against
// two references measured in the same run: saxes alone with no handlers (the parser's share of the
// cost) and a minimal hand-written tag scanner (indexOf-based, no well-formedness checks, no
// entities beyond the five predefined ones) — the speed a hand-written parser could hope for. Each
// run is a fresh process; runs alternate; medians of 5 are compared.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib.js';

const WORK = fileURLToPath(new URL('./.work/', import.meta.url));
const SOURCE = fileURLToPath(new URL('../../shared/corpus/evtx/win11-Security.windows.xml', import.meta.url));
const FILE = join(WORK, 'security-64mb.wevtutil.xml');
const TARGET_BYTES = 64 * 1024 * 1024;
const RUNS = 5;
type Mode = 'ours' | 'saxes' | 'scanner';

interface RunResult {
  seconds: number;
  events: number;
  maxRssMb: number;
}

function prepare(): void {
  mkdirSync(WORK, { recursive: true });
  if (existsSync(FILE)) return;
  const events = readFileSync(SOURCE, 'utf8').match(/<Event xmlns=[\s\S]*?<\/Event>/g) ?? [];
  const block = Buffer.from(events.join('\r\n') + '\r\n', 'utf8');
  const partial = `${FILE}.partial`;
  const fd = openSync(partial, 'w');
  for (let written = 0; written < TARGET_BYTES; written += block.length) writeSync(fd, block);
  closeSync(fd);
  renameSync(partial, FILE);
}

async function childRun(mode: Mode, file: string): Promise<RunResult> {
  const started = performance.now();
  let events = 0;
  if (mode === 'ours') {
    const { fileSource } = await import('../src/readers/byte-source.js');
    const { eventXmlReader } = await import('../src/readers/eventexport/xml-reader.js');
    const ctx = { tz: null, recover: false, issue() {}, timeRule() {} };
    for await (const record of eventXmlReader.read(await fileSource(file), ctx)) if (record) events++;
  } else {
    const { createReadStream } = await import('node:fs');
    const handle = mode === 'saxes' ? await saxesCounter() : scannerCounter();
    for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) handle.write(chunk as string);
    events = handle.end();
  }
  return { seconds: (performance.now() - started) / 1000, events, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

interface Counter {
  write(text: string): void;
  end(): number;
}

async function saxesCounter(): Promise<Counter> {
  const { SaxesParser } = await import('saxes');
  const parser = new SaxesParser({ fragment: true });
  let events = 0;
  parser.on('closetag', (tag) => {
    if (tag.name === 'Event') events++;
  });
  return {
    write: (text) => void parser.write(text),
    end: () => {
      parser.close();
      return events;
    },
  };
}

/** The reference hand-written scanner: tags, attributes and text, the five predefined entities. */
function scannerCounter(): Counter {
  let pending = '';
  let events = 0;
  let sink = 0;
  const decode = (s: string) =>
    s.indexOf('&') < 0 ? s : s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => (e[0] === '#' ? ' ' : '<'));
  return {
    write(text) {
      const buf = pending + text;
      let at = 0;
      for (;;) {
        const open = buf.indexOf('<', at);
        if (open < 0) break;
        const close = buf.indexOf('>', open);
        if (close < 0) break;
        if (open > at) sink += decode(buf.slice(at, open)).length;
        const tag = buf.slice(open + 1, close);
        if (tag.startsWith('/')) {
          if (tag === '/Event') events++;
        } else {
          const attributes = /(\w+)='([^']*)'/g;
          for (let m = attributes.exec(tag); m; m = attributes.exec(tag)) sink += decode(m[2]).length;
        }
        at = close + 1;
      }
      pending = buf.slice(at);
    },
    end: () => (sink >= 0 ? events : -1),
  };
}

function run(mode: Mode): RunResult {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', mode, FILE], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`child ${mode} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as RunResult;
}


async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    console.log(JSON.stringify(await childRun(process.argv[3] as Mode, process.argv[4])));
    return;
  }
  prepare();
  const results: Record<Mode, RunResult[]> = { ours: [], saxes: [], scanner: [] };
  for (let i = 0; i < RUNS; i++) for (const mode of ['ours', 'saxes', 'scanner'] as const) results[mode].push(run(mode));
  const events = results.ours[0].events;
  const rate = (mode: Mode) => events / median(results[mode].map((r) => r.seconds));
  console.log(`file: ${FILE} (${events} events)`);
  console.log(`edgelog event-xml reader : ${Math.round(rate('ours'))} events/s, peak RSS ${Math.round(Math.max(...results.ours.map((r) => r.maxRssMb)))} MB`);
  console.log(`saxes alone (no mapping) : ${Math.round(rate('saxes'))} events/s`);
  console.log(`hand-written tag scanner : ${Math.round(rate('scanner'))} events/s (events counted: ${results.scanner[0].events})`);
  console.log(`ratio ours / saxes alone : ${(rate('ours') / rate('saxes')).toFixed(2)}×`);
  console.log(`ratio ours / scanner     : ${(rate('ours') / rate('scanner')).toFixed(2)}×`);
}

await main();
