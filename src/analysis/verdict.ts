// The verdict rules: one remote domain's evidence in, a verdict, a confidence and the reasons out.
// The look-alikes are told apart here, in this order:
//   xexch50-blocked    XEXCH50 attempts cut off after the blob (the session dropped with no reply)
//                      while mail waits or bounces, and/or firewall XEXCH50 events for the domain;
//   dns-failure        5.4.0-style NDRs or DNS queue errors, and no connection ever made;
//   host-unreachable   refused / timed out before the banner, 4.4.1 / 4.4.7 while nothing connects;
//   recipient-rejected 5.1.x for some recipients (the others delivered);
//   smtp-inspection    EHLO refused then HELO, or verbs masked as XXXX, without stuck mail;
//   healthy            everything else: 504 to XEXCH50, transient deferrals that were delivered.
// Non-healthy path verdicts need mail in trouble (waiting, stuck or NDR'd); deferrals that ended
// delivered are not trouble.
import type { Confidence, Verdict } from './findings.js';
import { statusCodeInfo, type StatusClass } from '../knowledge/status-codes.js';
import { RULES, matchesAny } from './rules.js';
import type { TrackingEvidence } from './evidence-tracking.js';
import type { SessionEvidence } from './evidence-sessions.js';
import type { QueueEvidence } from './evidence-queue.js';

export interface DomainEvidence {
  tracking?: TrackingEvidence;
  sessions?: SessionEvidence;
  queue?: QueueEvidence;
  /** XEXCH50 firewall events attributed to the domain. */
  firewallEvents: number;
  firewallMethods: string[];
  /** Messages received from the domain (it may only ever send to us). */
  inboundMessages: number;
}

export interface StoreSides {
  /** Sender-side tables (tracking, SMTP, queue) hold rows in the window. */
  sender: boolean;
  /** Firewall-side tables (SmtpEvt events, firewall log) hold rows in the window. */
  firewall: boolean;
}

export interface Judgement {
  verdict: Verdict;
  confidence: Confidence;
  reasons: string[];
}

/** NDRs whose status code is of this class (status-codes.json). */
function ndrsOfClass(byCode: Record<string, number>, cls: StatusClass): number {
  return Object.entries(byCode).reduce((n, [code, count]) => n + (statusCodeInfo(code).class === cls ? count : 0), 0);
}

/** Error texts the sender recorded for waiting mail (tracking statuses, queue last errors). */
function errorTexts(e: DomainEvidence): string[] {
  return [...Object.keys(e.tracking?.pendingStatuses ?? {}), ...Object.keys(e.queue?.lastErrors ?? {})];
}

/** Independent signals that agree: two or more is high, one medium. */
function signals(...seen: boolean[]): Confidence {
  const n = seen.filter(Boolean).length;
  return n >= 2 ? 'high' : n === 1 ? 'medium' : 'low';
}

export function judge(e: DomainEvidence, sides: StoreSides): Judgement {
  const t = e.tracking;
  const s = e.sessions;
  const codes = t?.ndrByCode ?? {};
  const texts = errorTexts(e);
  // Tracking says which recipients wait; a queue count stands in only without tracking.
  const waiting = t ? t.undelivered : (e.queue?.latestMessages ?? 0);
  const stuck = t ? t.stuck : (e.queue?.latestMessages ?? 0);
  const trouble = waiting + (t?.ndr ?? 0) > 0;
  const connected = s?.connected ?? 0;
  const reasons: string[] = [];

  // 1. KB 818222.
  const blocked = s?.xexch50Blocked ?? 0;
  if (e.firewallEvents > 0 || (blocked > 0 && (trouble || !t))) {
    const senderChain = blocked > 0 && trouble;
    if (blocked > 0) reasons.push(`${blocked} XEXCH50 attempt(s) got no reply after the data: the connection was dropped`);
    if (trouble) reasons.push(`${waiting} recipient(s) waiting, ${t?.ndr ?? 0} NDR'd`);
    if (e.firewallEvents > 0) {
      reasons.push(`${e.firewallEvents} firewall SmtpEvt 20031 XEXCH50 event(s) attributed (${e.firewallMethods.join(', ')})`);
    }
    let confidence: Confidence;
    if (e.firewallEvents > 0 && (blocked > 0 || trouble)) confidence = 'high';
    else if (senderChain || (e.firewallEvents > 0 && !sides.sender)) confidence = 'medium';
    else confidence = 'low';
    return { verdict: 'xexch50-blocked', confidence, reasons };
  }

  // 2. DNS.
  const dnsNdr = ndrsOfClass(codes, 'dns');
  const dnsText = texts.some((x) => matchesAny(x, RULES.replies.dnsErrors));
  const noSession = (s?.sessions ?? 0) === 0;
  if (trouble && connected === 0 && (dnsNdr > 0 || dnsText)) {
    if (dnsNdr > 0) reasons.push(`${dnsNdr} NDR(s) with a DNS status (e.g. 5.4.0)`);
    if (dnsText) reasons.push('queue errors say the host name could not be resolved');
    reasons.push(noSession ? 'no connection to a host of the domain was ever attempted' : 'no connection to a host of the domain succeeded');
    return { verdict: 'dns-failure', confidence: signals(dnsNdr > 0, dnsText, noSession), reasons };
  }

  // 3. Unreachable host.
  const noConnection = s?.noConnection ?? 0;
  const unreachableNdr = ndrsOfClass(codes, 'unreachable');
  const expiredNdr = ndrsOfClass(codes, 'expired');
  const unreachableText = texts.some((x) => matchesAny(x, RULES.replies.unreachableErrors));
  if (trouble && connected === 0 && (noConnection > 0 || unreachableNdr > 0 || unreachableText || expiredNdr > 0)) {
    if (noConnection > 0) reasons.push(`${noConnection} connection attempt(s) refused or timed out before the banner`);
    if (unreachableNdr + expiredNdr > 0) reasons.push(`${unreachableNdr + expiredNdr} NDR(s) for an unreachable host or on expiry`);
    if (unreachableText) reasons.push('queue errors say the host did not respond or refused the connection');
    return { verdict: 'host-unreachable', confidence: signals(noConnection > 0, unreachableNdr + expiredNdr > 0, unreachableText), reasons };
  }

  // 4. Some recipients rejected.
  const rejectedNdr = ndrsOfClass(codes, 'recipient');
  const rejectedRcpt = s?.recipientRejectedPermanent ?? 0;
  if (rejectedNdr > 0 || rejectedRcpt > 0) {
    if (rejectedNdr > 0) reasons.push(`${rejectedNdr} NDR(s) with a recipient status (5.1.x)`);
    if (rejectedRcpt > 0) reasons.push(`${rejectedRcpt} RCPT TO refused with 5.1.x`);
    reasons.push(`${t?.delivered ?? 0} recipient(s) delivered`);
    return { verdict: 'recipient-rejected', confidence: rejectedNdr > 0 && rejectedRcpt > 0 ? 'high' : 'medium', reasons };
  }

  // 5. An SMTP-inspecting firewall on the path, mail flowing.
  const ehloRefused = s?.ehloRefused ?? 0;
  const masked = s?.maskedVerbs ?? 0;
  if (ehloRefused + masked > 0) {
    if (ehloRefused > 0) reasons.push(`${ehloRefused} session(s) had EHLO refused and fell back to HELO`);
    if (masked > 0) reasons.push(`${masked} session(s) show verbs masked as ${RULES.sessions.inspectionMaskedVerb}`);
    if (stuck > 0) reasons.push(`${stuck} recipient(s) still waiting without another visible cause`);
    else reasons.push('mail is delivered');
    return { verdict: 'smtp-inspection', confidence: stuck > 0 ? 'low' : (t?.delivered ?? 0) > 0 ? 'high' : 'medium', reasons };
  }

  // 6. Healthy.
  if ((s?.xexch50Harmless ?? 0) > 0) reasons.push(`XEXCH50 refused with 504 in ${s?.xexch50Harmless} session(s): harmless between organisations`);
  if ((t?.deferredThenDelivered ?? 0) > 0) reasons.push(`${t?.deferredThenDelivered} recipient(s) deferred, then delivered`);
  if (stuck > 0) reasons.push(`${stuck} recipient(s) waiting longer than ${RULES.stuck.afterSeconds / 60} min with no visible cause`);
  if (!t && !s && e.inboundMessages > 0) reasons.push(`only inbound mail seen (${e.inboundMessages} message(s)); nothing sent to it`);
  return { verdict: 'healthy', confidence: stuck > 0 ? 'low' : 'high', reasons };
}
