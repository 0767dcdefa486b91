// New, ongoing or resolved: each problem finding is matched to the previous completed run by
// (domain, verdict). A problem is resolved only when the domain is now diagnosed healthy on some
// evidence (a non-zero count); a domain without traffic in the window any more (or one listed only
// in the firewall map) is not claimed fixed, only mentioned; a domain whose verdict changed shows
// the new verdict as a new problem. Every domain's current diagnosis stays in the list too
// (healthy ones with status null), so a resolved domain appears both as the resolved problem and
// as today's healthy row.
import { CONFIDENCES, confidenceAtLeast, type Confidence, type Finding, type Verdict } from '../analysis/findings.js';

export const FINDING_STATUSES = ['new', 'ongoing', 'resolved'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export interface AuditFinding extends Finding {
  /** null for a healthy domain that was not in trouble before. */
  status: FindingStatus | null;
  /** ISO time of the audit run that first reported this problem; null for healthy domains. */
  first_reported: string | null;
}

/** A problem reported by the previous run (status new or ongoing there). */
export interface PreviousProblem {
  domain: string;
  verdict: Verdict;
  first_reported: string;
}

export interface Comparison {
  findings: AuditFinding[];
  /** Previous problems whose domain has no traffic in this run's window. */
  noLongerSeen: PreviousProblem[];
}

const key = (domain: string, verdict: string): string => `${domain}\u0000${verdict}`;

export function compareWithPrevious(current: Finding[], previous: PreviousProblem[], runStarted: string): Comparison {
  const before = new Map(previous.map((p) => [key(p.domain, p.verdict), p]));
  const byDomain = new Map<string, Finding[]>();
  for (const f of current) byDomain.set(f.domain, [...(byDomain.get(f.domain) ?? []), f]);

  const findings: AuditFinding[] = [];
  for (const f of current) {
    if (f.verdict === 'healthy') continue;
    const earlier = before.get(key(f.domain, f.verdict));
    findings.push(
      earlier
        ? { ...f, status: 'ongoing', first_reported: earlier.first_reported }
        : { ...f, status: 'new', first_reported: runStarted },
    );
  }
  const noLongerSeen: PreviousProblem[] = [];
  for (const p of previous) {
    const now = byDomain.get(p.domain) ?? [];
    if (now.some((f) => f.verdict === p.verdict)) continue; // ongoing
    if (!now.some(hasTraffic)) {
      noLongerSeen.push(p);
      continue;
    }
    const healthy = now.find((f) => f.verdict === 'healthy');
    if (healthy === undefined) continue; // superseded by another verdict, reported as new
    findings.push({
      ...healthy,
      verdict: p.verdict,
      status: 'resolved',
      first_reported: p.first_reported,
      summary: `Resolved: ${p.domain} was reported ${p.verdict} since ${p.first_reported} and is now healthy. ${healthy.summary}`,
      remediation: null,
    });
  }
  for (const f of current) {
    if (f.verdict === 'healthy') findings.push({ ...f, status: null, first_reported: null });
  }
  return { findings: findings.sort(byReadingOrder), noLongerSeen };
}

function hasTraffic(f: Finding): boolean {
  return Object.values(f.counts).some((n) => n > 0);
}

const STATUS_ORDER: Record<string, number> = { new: 0, ongoing: 1, resolved: 2 };

function byReadingOrder(a: AuditFinding, b: AuditFinding): number {
  return (
    (STATUS_ORDER[a.status ?? ''] ?? 3) - (STATUS_ORDER[b.status ?? ''] ?? 3) ||
    CONFIDENCES.indexOf(b.confidence) - CONFIDENCES.indexOf(a.confidence) ||
    a.domain.localeCompare(b.domain) ||
    a.verdict.localeCompare(b.verdict)
  );
}

/** Findings that make the audit exit 1: current problems (new or ongoing) at or above the floor. */
export function failingFindings(findings: AuditFinding[], failOn: Confidence): AuditFinding[] {
  return findings.filter((f) => (f.status === 'new' || f.status === 'ongoing') && confidenceAtLeast(f.confidence, failOn));
}
