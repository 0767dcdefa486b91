// The diagnosis thresholds and meanings live in src/knowledge/*.json so they can be corrected
// without a code change (log-formats.md marks most of them inferred or unconfirmed). This module
// loads them once and gives them types.
import { readFileSync } from 'node:fs';
import type { Verdict } from './findings.js';

export interface DiagnosisRules {
  firewallEvent: {
    provider: string;
    eventId: number;
    descriptionPattern: string;
    dataPattern: string;
    xexch50Verb: string;
    dataTruncatedAtBytes: number;
  };
  attribution: { defaultSkewSeconds: number; toleranceSeconds: number; minShare: number; smtpPort: number };
  tracking: {
    remoteKinds: string[];
    sentKinds: string[];
    deliveredKinds: string[];
    ndrKinds: string[];
    deferKinds: string[];
    attemptKinds: string[];
  };
  stuck: { afterSeconds: number };
  replies: { xexch50Harmless: string[]; dnsErrors: string[]; unreachableErrors: string[]; droppedErrors: string[] };
  sessions: {
    xexch50BlockedOutcomes: string[];
    xexch50BlockedEndReasons: string[];
    xexch50GoAheadCode: number;
    unfinishedEndReasons: string[];
    noConnectionEndReasons: string[];
    destinationDomainPattern: string;
    inspectionMaskedVerb: string;
  };
  queue: { retryStates: string[] };
  examples: { perKind: number };
}

export interface Remediation {
  kb: string[];
  text: string;
}

function loadJson(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../knowledge/${name}`, import.meta.url), 'utf8'));
}

export const RULES = loadJson('diagnosis-rules.json') as DiagnosisRules;

const remediations = loadJson('remediation.json') as Partial<Record<Verdict, Remediation>>;

/** The fix for a verdict, with the domain filled in; null for healthy. */
export function remediationFor(verdict: Verdict, domain: string): string | null {
  const entry = remediations[verdict];
  if (!entry) return null;
  return `${entry.text.replaceAll('{domain}', domain)} (${entry.kb.join(', ')})`;
}

/** Case-insensitive substring match against one of the texts. */
export function matchesAny(text: string | null | undefined, needles: readonly string[]): boolean {
  if (!text) return false;
  const lower = text.toLowerCase();
  return needles.some((n) => lower.includes(n.toLowerCase()));
}
