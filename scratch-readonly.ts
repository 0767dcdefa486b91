import { fileSource } from './src/readers/byte-source.js';
import { exchange2003TrackingReader } from './src/readers/tracking2003/reader.js';
import { readLines } from './src/readers/text/lines.js';
const path = process.argv[2];
const mode = process.argv[3];
const src = await fileSource(path);
const t0 = performance.now();
let n = 0;
if (mode === 'lines') { for await (const l of readLines(src)) n++; }
else {
const ctx = { tz: null, recover: false, issue: () => {}, timeRule: () => {} };
for await (const r of exchange2003TrackingReader.read(src, ctx)) n++;
}
const s = (performance.now() - t0) / 1000;
console.log(mode, n, s.toFixed(2), 's', (src.size / 1e6 / s).toFixed(1), 'MB/s', (process.resourceUsage().maxRSS/1024).toFixed(0), 'MB');
