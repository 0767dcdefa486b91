// A hand-made audit report whose log-derived strings are hostile, for the renderer tests.
import type { AuditFinding } from '../../src/audit/compare.js';
import type { AuditReport } from '../../src/render/model.js';

export const HOSTILE = '<script>alert("x")</script>';
export const HOSTILE_DOMAIN = `evil${HOSTILE}.example`;

const counts = { sent: 3, delivered: 0, ndr: 1, undelivered: 2, xexch50_attempts: 4, xexch50_blocked: 4, firewall_events: 2 };

const blocked: AuditFinding = {
  domain: HOSTILE_DOMAIN,
  verdict: 'xexch50-blocked',
  confidence: 'high',
  summary: `Mail to ${HOSTILE_DOMAIN} is blocked after the XEXCH50 command (KB 818222).`,
  counts,
  evidence: {
    reasons: ['4 XEXCH50 attempt(s) got no reply'],
    examples: { stuck: [{ message_id: `<id-${HOSTILE}@corp>`, subject: `Re: ${HOSTILE}`, recipient: 'a@b' }] },
    firewall: { hosts: [{ host: `ISA-${HOSTILE}`, method: 'matched' }] },
  },
  remediation: 'Set SuppressExternal=1 (KB818222)',
  first_seen: '2026-10-01T08:00:00.000Z',
  last_seen: '2026-10-01T20:00:00.000Z',
  status: 'new',
  first_reported: '2026-10-02T02:00:00.000Z',
};

const healthy: AuditFinding = {
  domain: 'fine.example',
  verdict: 'healthy',
  confidence: 'high',
  summary: 'Mail to fine.example flows.',
  counts: { ...counts, delivered: 3, ndr: 0, undelivered: 0, xexch50_blocked: 0, firewall_events: 0 },
  evidence: {},
  remediation: null,
  first_seen: null,
  last_seen: null,
  status: null,
  first_reported: null,
};

const H = 3_600_000_000_000n;
const start = 1_790_841_600_000_000_000n; // 2026-10-01T08:00:00Z

export function hostileReport(): AuditReport {
  return {
    runId: 7,
    previousRunId: 6,
    startedAt: '2026-10-02T02:00:00.000Z',
    finishedAt: '2026-10-02T02:00:03.000Z',
    db: '/srv/edge.duckdb',
    configPath: null,
    window: { since: null, until: null },
    failOn: 'low',
    exitCode: 1,
    diagnosisReused: false,
    findings: [blocked, healthy],
    noLongerSeen: [],
    folders: [
      { path: '/drop/<b>bold</b>', globs: ['**/*'], tz: null, format: null, found: 3, unchanged: 1, byStatus: { ok: 1, failed: 1 }, records: 40, missing: null },
    ],
    ingestProblems: [
      {
        path: `/drop/${HOSTILE}.log`,
        status: 'failed',
        message: `bad header ${HOSTILE}`,
        issues: [{ where: 'line 3', severity: 'error', message: `unexpected ${HOSTILE}` }],
        issueCount: 4,
      },
      { path: '/drop/gone.log', status: 'missing', message: `no such file ${HOSTILE}`, issues: [], issueCount: 0 },
    ],
    retention: null,
    notes: [`note ${HOSTILE}`],
    timelines: [
      {
        domain: HOSTILE_DOMAIN,
        from: start,
        to: start + 4n * H,
        bucketNs: H,
        attemptsSource: 'SMTP protocol log sessions',
        attempts: [2, 0, 1, 1],
        blocks: [2, 0, 1, 1],
        ndrs: [0, 0, 0, 1],
        queueSource: 'queue exports',
        queueDepth: [
          { t: start, v: 1 },
          { t: start + 2n * H, v: 2 },
        ],
        oldestQueuedHours: [
          { t: start, v: 0.5 },
          { t: start + 2n * H, v: 2.5 },
        ],
      },
    ],
  };
}
