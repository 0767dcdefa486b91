// Inline SVG charts for report.html: one block of small multiples per affected domain, sharing
// the time axis — attempts with the blocked ones overlaid, NDRs, queue depth and the age of the
// oldest queued message. Plain SVG, no script: the report must open offline in any browser.
import type { DomainTimeline, Point } from '../audit/timeline.js';
import { isoFromNanos } from '../util/timezone.js';
import { escapeHtml as esc } from './escape.js';

const WIDTH = 760;
const LEFT = 64;
const RIGHT = 12;
const PANEL = 70;
const GAP = 26;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;

const COLORS = { attempts: '#9aa5b1', blocks: '#c0392b', ndrs: '#d68910', depth: '#2471a3', age: '#7d3c98' };

const QUEUE_CAPTION = {
  'queue exports': 'messages queued for the domain (queue exports)',
  'message tracking': "recipients handed to the outbound path, not yet delivered or NDR'd (message tracking)",
} as const;

const time = (ns: bigint): string => isoFromNanos(ns, 0).replace('T', ' ').replace(':00Z', 'Z');

function niceMax(values: number[]): number {
  const max = Math.max(0, ...values);
  if (max <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((m) => m >= max) ?? max);
}

function format(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

interface Panel {
  title: string;
  body: (top: number, x: (t: bigint) => number, y: (v: number) => number) => string;
  max: number;
  empty: boolean;
}

function barsPanel(tl: DomainTimeline, title: string, series: { values: number[]; color: string; label: string }[]): Panel {
  const max = niceMax(series.flatMap((s) => s.values));
  const barWidth = Math.max(1, PLOT_WIDTH / Math.max(1, series[0].values.length) - 1);
  return {
    title,
    max,
    empty: series.every((s) => s.values.every((v) => v === 0)),
    body: (top, x, y) =>
      series
        .map((s) =>
          s.values
            .map((v, i) => {
              if (v === 0) return '';
              const start = tl.from + BigInt(i) * tl.bucketNs;
              const height = top + PANEL - y(v);
              return `<rect x="${x(start).toFixed(1)}" y="${y(v).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${height.toFixed(1)}" fill="${s.color}"><title>${esc(`${time(start)}: ${v} ${s.label}`)}</title></rect>`;
            })
            .join(''),
        )
        .join(''),
  };
}

function linePanel(title: string, points: Point[], color: string, unit: string): Panel {
  const max = niceMax(points.map((p) => p.v));
  return {
    title,
    max,
    empty: points.every((p) => p.v === 0),
    body: (_top, x, y) => {
      const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
      const dots = points
        .map((p) => `<circle cx="${x(p.t).toFixed(1)}" cy="${y(p.v).toFixed(1)}" r="2.5" fill="${color}"><title>${esc(`${time(p.t)}: ${format(p.v)} ${unit}`)}</title></circle>`)
        .join('');
      return `<path d="${path}" fill="none" stroke="${color}" stroke-width="1.5"/>${dots}`;
    },
  };
}

/** The chart block for one domain, or a sentence when there is nothing to draw. */
export function timelineSvg(tl: DomainTimeline): string {
  const panels: Panel[] = [
    barsPanel(tl, `Outbound attempts (grey) and XEXCH50 blocks (red) per ${bucketName(tl.bucketNs)}${tl.attemptsSource ? `, from ${tl.attemptsSource}` : ''}`, [
      { values: tl.attempts, color: COLORS.attempts, label: 'attempts' },
      { values: tl.blocks, color: COLORS.blocks, label: 'blocked' },
    ]),
    barsPanel(tl, `NDRs per ${bucketName(tl.bucketNs)}`, [{ values: tl.ndrs, color: COLORS.ndrs, label: 'NDRs' }]),
    linePanel(`Queue depth: ${QUEUE_CAPTION[tl.queueSource ?? 'queue exports']}`, tl.queueDepth, COLORS.depth, 'waiting'),
    linePanel('Age of the oldest waiting message (hours)', tl.oldestQueuedHours, COLORS.age, 'hours'),
  ].filter((p) => !p.empty);
  if (panels.length === 0) return '<p class="muted">No time series for this domain in the window.</p>';
  const span = Number(tl.to - tl.from) || 1;
  const x = (t: bigint) => LEFT + (Number(t - tl.from) / span) * PLOT_WIDTH;
  const height = panels.length * (PANEL + GAP) + 24;
  const parts = panels.map((panel, i) => {
    const top = i * (PANEL + GAP) + 18;
    const y = (v: number) => top + PANEL - (v / panel.max) * PANEL;
    return (
      `<text x="${LEFT}" y="${top - 5}" class="chart-title">${esc(panel.title)}</text>` +
      `<line x1="${LEFT}" y1="${top + PANEL}" x2="${WIDTH - RIGHT}" y2="${top + PANEL}" class="axis"/>` +
      `<line x1="${LEFT}" y1="${top}" x2="${LEFT}" y2="${top + PANEL}" class="axis"/>` +
      `<text x="${LEFT - 6}" y="${top + 9}" class="tick" text-anchor="end">${format(panel.max)}</text>` +
      `<text x="${LEFT - 6}" y="${top + PANEL}" class="tick" text-anchor="end">0</text>` +
      panel.body(top, x, y)
    );
  });
  const axisY = height - 6;
  return (
    `<svg class="chart" role="img" aria-label="${esc(`Timeline for ${tl.domain}`)}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
    parts.join('') +
    `<text x="${LEFT}" y="${axisY}" class="tick">${esc(time(tl.from))}</text>` +
    `<text x="${WIDTH - RIGHT}" y="${axisY}" class="tick" text-anchor="end">${esc(time(tl.to))}</text>` +
    '</svg>'
  );
}

function bucketName(ns: bigint): string {
  const seconds = Number(ns / 1_000_000_000n);
  if (seconds % 86400 === 0) return seconds === 86400 ? 'day' : `${seconds / 86400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? 'hour' : `${seconds / 3600} hours`;
  return `${seconds / 60} minutes`;
}
