// What a diagnosis produces, per remote domain. Shared by `diagnose`, `audit` and the reports.
// The vocabulary is fixed: tools and people parse it.

export const VERDICTS = [
  'xexch50-blocked',
  'dns-failure',
  'host-unreachable',
  'recipient-rejected',
  'smtp-inspection',
  'healthy',
] as const;
export type Verdict = (typeof VERDICTS)[number];

export const CONFIDENCES = ['low', 'medium', 'high'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

/**
 * Counts per remote domain. Mail counts are per (message, recipient) pair: a message to three
 * recipients of the domain counts three times, as message tracking logs them.
 */
export interface DomainCounts {
  /** Recipients handed to the outbound path for this domain. */
  sent: number;
  delivered: number;
  /** Recipients that ended in an NDR (any status code). */
  ndr: number;
  /** Neither delivered nor NDR at the end of the evidence: still queued. */
  undelivered: number;
  /** Outbound XEXCH50 commands sent to this domain's hosts. */
  xexch50_attempts: number;
  /** XEXCH50 attempts whose acknowledgement never came (dropped / timed out after the blob). */
  xexch50_blocked: number;
  /** Firewall SmtpEvt 20031 `XEXCH50 <n>` events attributed to this domain. */
  firewall_events: number;
}

export interface Finding {
  domain: string;
  verdict: Verdict;
  confidence: Confidence;
  /** One sentence a person can read in a mail. */
  summary: string;
  counts: DomainCounts;
  /** Structured evidence (counts by status, examples, attribution, first/last seen). */
  evidence: Record<string, unknown>;
  /** The fix, in words an administrator can act on; null for healthy domains. */
  remediation: string | null;
  first_seen: string | null;
  last_seen: string | null;
}

export function confidenceAtLeast(c: Confidence, floor: Confidence): boolean {
  return CONFIDENCES.indexOf(c) >= CONFIDENCES.indexOf(floor);
}
