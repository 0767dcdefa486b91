// Matching this run's diagnosis with the previous run's problems: by (domain, verdict); resolved
// only on evidence of health; a changed verdict is a new problem; silence is "no longer seen".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding, Verdict } from '../../src/analysis/findings.js';
import { compareWithPrevious, failingFindings } from '../../src/audit/compare.js';

const zero = { sent: 0, delivered: 0, ndr: 0, undelivered: 0, xexch50_attempts: 0, xexch50_blocked: 0, firewall_events: 0 };

function finding(domain: string, verdict: Verdict, confidence: Finding['confidence'], sent = 1): Finding {
  return { domain, verdict, confidence, summary: `${domain} ${verdict}`, counts: { ...zero, sent }, evidence: {}, remediation: verdict === 'healthy' ? null : 'fix', first_seen: null, last_seen: null };
}

test('statuses, reading order and what fails the run', () => {
  const previous = [
    { domain: 'still.example', verdict: 'xexch50-blocked' as const, first_reported: '2026-10-01T02:00:00.000Z' },
    { domain: 'fixed.example', verdict: 'dns-failure' as const, first_reported: '2026-10-02T02:00:00.000Z' },
    { domain: 'changed.example', verdict: 'host-unreachable' as const, first_reported: '2026-10-02T02:00:00.000Z' },
    { domain: 'silent.example', verdict: 'xexch50-blocked' as const, first_reported: '2026-10-02T02:00:00.000Z' },
    { domain: 'maponly.example', verdict: 'xexch50-blocked' as const, first_reported: '2026-10-02T02:00:00.000Z' },
    { domain: 'queued.example', verdict: 'host-unreachable' as const, first_reported: '2026-10-02T02:00:00.000Z' },
  ];
  const current = [
    finding('still.example', 'xexch50-blocked', 'high'),
    finding('fixed.example', 'healthy', 'high'),
    finding('changed.example', 'dns-failure', 'medium'),
    finding('fresh.example', 'recipient-rejected', 'low'),
    finding('maponly.example', 'healthy', 'medium', 0),
    finding('quiet.example', 'healthy', 'high'),
    finding('queued.example', 'host-unreachable', 'low', 0),
  ];
  const { findings, noLongerSeen } = compareWithPrevious(current, previous, '2026-10-03T02:00:00.000Z');
  assert.deepEqual(
    findings.map((f) => [f.status, f.domain, f.verdict, f.first_reported]),
    [
      ['new', 'changed.example', 'dns-failure', '2026-10-03T02:00:00.000Z'],
      ['new', 'fresh.example', 'recipient-rejected', '2026-10-03T02:00:00.000Z'],
      ['ongoing', 'still.example', 'xexch50-blocked', '2026-10-01T02:00:00.000Z'],
      ['ongoing', 'queued.example', 'host-unreachable', '2026-10-02T02:00:00.000Z'],
      ['resolved', 'fixed.example', 'dns-failure', '2026-10-02T02:00:00.000Z'],
      [null, 'fixed.example', 'healthy', null],
      [null, 'quiet.example', 'healthy', null],
      [null, 'maponly.example', 'healthy', null],
    ],
  );
  const resolved = findings.find((f) => f.status === 'resolved')!;
  assert.equal(resolved.remediation, null);
  assert.match(resolved.summary, /^Resolved: fixed\.example was reported dns-failure since 2026-10-02T02:00:00\.000Z and is now healthy\. /);
  assert.deepEqual(noLongerSeen.map((p) => p.domain), ['silent.example', 'maponly.example']);
  assert.deepEqual(failingFindings(findings, 'low').map((f) => f.domain), ['changed.example', 'fresh.example', 'still.example', 'queued.example']);
  assert.deepEqual(failingFindings(findings, 'medium').map((f) => f.domain), ['changed.example', 'still.example']);
  assert.deepEqual(failingFindings(findings, 'high').map((f) => f.domain), ['still.example']);
});
