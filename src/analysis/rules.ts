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
    outboundKinds: string[];
    deliveredKinds: string[];
    ndrKinds: string[];
    deferKinds: string[];
    attemptKinds: string[];
  };
  stuck: { afterSeconds: number };
  statusCodes: { dns: string[]; unreachable: string[]; expired: string[]; recipient: string[] };
  replies: { xexch50Harmless: string[]; dnsErrors: string[]; unreachableErrors: string[]; droppedErrors: string[] };
  sessions: {
    xexch50BlockedOutcomes: string[];
    xexch50BlockedEndReasons: string[];
    noConnectionEndReasons: string[];
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

/** Status code starts with one of the prefixes (`5.1.` matches `5.1.1`). */
export function codeIn(code: string | null | undefined, prefixes: readonly string[]): boolean {
  return !!code && prefixes.some((p) => code === p || (p.endsWith('.') && code.startsWith(p)));
}
