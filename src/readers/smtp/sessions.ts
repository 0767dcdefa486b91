// Derives `smtp_sessions` records from the normalised `smtp_lines` of protocol logs (IIS SMTPSVC and
// Exchange 2007+ SEND/RECV). Readers feed every line, in file order, to one SmtpSessionTracker and
// yield whatever it returns; a session is emitted when it ends, or by finish() at end of file.
//
// What the tracker expects of a line (SmtpLineRecord), whatever the log family:
// - `session_key` set (IIS: derived by the reader; 2007+: session-id). Lines without one are ignored.
// - `verb` (upper case) + `argument` on a line carrying a command sent by the client side.
// - `reply_code` on a line carrying a reply from the server side; `reply_text` the whole reply line
//   as logged (`250-XEXCH50`, `354 Send binary data`), or null when only the code was logged
//   (IIS inbound `sc-status`). A line may carry both (IIS inbound rows: command and our reply).
// - `event`: `+` connect, `-` disconnect (closes the session), `*` information (text in `argument`);
//   other values (IIS cs-method, Outbound* markers) are not interpreted.
//
// Replies are matched to commands first-in first-out (PIPELINING). A reply line `250-…` keeps the
// command open for more lines; IIS logs only the first line of a multi-line reply, so a command
// that got any reply line counts as answered when the next command is sent.
//
// How a session ends (`end_reason`), first match wins:
// - `dropped-after-xexch50`: the XEXCH50 exchange never finished (no reply, or `354` and no
//   acknowledgement of the blob) and nothing but QUIT followed — the KB 818222 picture (§4.6).
// - `timeout`: a reply or `*` note says the connection timed out, or no line came within the idle window.
// - `refused`: the banner was 4xx/5xx, or the server answered 421 (closing the channel).
// - `completed` / `quit`: QUIT was sent, with / without at least one message accepted.
// - `dropped`: the connection ended (disconnect, or IIS: a new connection to the same peer began)
//   without any of the above.
// - `open`: the log ended while the session was still going (no verdict possible).
// Sessions closed because too many were open (memory cap: the least recently active) count as idle.
//
// Memory per session is bounded too, whatever the file holds: at most MAX_RECIPIENT_ROWS recipient
// rows and MAX_DOMAINS domains are kept (the recipient counters count every RCPT), and at most
// MAX_PENDING_COMMANDS commands wait for their replies (the oldest is dropped unanswered).
//
// emitFrom: a session with any line before the source's emitFrom (a `replayed` line) was, or could
// have been, emitted by an earlier ingest; it is tracked but never returned.
import type { SmtpLineRecord, SmtpSessionRecipient, SmtpSessionRecord } from '../../store/records.js';
import { addressDomain, isContinuation, pathAddress, replyBody } from './smtp-text.js';

export type SessionEndCause = 'disconnect' | 'new-connection' | 'idle' | 'end-of-stream';

export interface SessionTrackerOptions {
  /** A session with no line for this long is closed as timed out (default 10 minutes, Exchange's SMTP connection timeout). */
  idleSeconds?: number;
  /** At most this many sessions are kept open; beyond it the least recently active tenth is closed (default 10,000). */
  maxOpen?: number;
  /**
   * Close a session as soon as its QUIT is answered. For logs whose session keys are derived
   * (IIS); logs with a real session id and a disconnect row (2007+) leave it off.
   */
  closeOnQuit?: boolean;
}

const NOTHING: readonly SmtpSessionRecord[] = Object.freeze([]);
const MAX_RECIPIENT_ROWS = 10_000;
const MAX_DOMAINS = 1_000;
const MAX_PENDING_COMMANDS = 1_000;
const TIMEOUT_TEXT = /time[sd]?[ -]?out/i;

/** The record under construction (record types are read-only to their consumers). */
type SessionDraft = { -readonly [K in keyof SmtpSessionRecord]: SmtpSessionRecord[K] };
type RecipientDraft = { -readonly [K in keyof SmtpSessionRecipient]: SmtpSessionRecipient[K] };

type ReplyStage = 'waiting' | 'go-ahead' | 'answered';

interface PendingCommand {
  verb: string;
  argument: string | null;
  stage: ReplyStage;
  recipient: RecipientDraft | null;
}

type Xexch50Stage = 'none' | 'sent' | 'go-ahead' | 'done';

/** A verb made of X's only (`xxxx`): an SMTP-fixup firewall masked the client's command (§4.8). */
function isMaskedVerb(verb: string): boolean {
  if (verb.length < 4) return false;
  for (let i = 0; i < verb.length; i++) if (verb.charCodeAt(i) !== 88) return false;
  return true;
}

class Session {
  readonly record: SessionDraft;
  lastTime: bigint | null = null;
  /** Tracker-wide counter value at this session's latest line (least active = smallest). */
  lastActivity = 0;
  replayed = false;
  private readonly pending: PendingCommand[] = [];
  private readonly domains = new Set<string>();
  private lastVerb: string | null = null;
  /** QUIT got its reply (the tracker may close the session at once). */
  quitAnswered = false;
  private quitSent = false;
  private refused = false;
  private timedOut = false;
  private xexch50: Xexch50Stage = 'none';
  private ehloLines = 0;
  private ehloTruncated = false;

  constructor(line: SmtpLineRecord, key: string) {
    this.record = {
      table: 'smtp_sessions',
      session_key: key,
      server: line.server,
      direction: line.direction,
      start_time: null,
      end_time: null,
      local_endpoint: line.local_endpoint,
      remote_ip: line.remote_ip,
      remote_host: null,
      banner_code: null,
      greeting: null,
      ehlo_refused: false,
      masked_verbs: false,
      xexch50_advertised: null,
      xexch50_sent: false,
      xexch50_bytes: null,
      xexch50_reply_code: null,
      xexch50_reply_text: null,
      xexch50_outcome: null,
      mail_from: null,
      recipients_accepted: 0,
      recipients_rejected: 0,
      recipient_domains: null,
      messages_accepted: 0,
      end_reason: null,
      line_count: 0,
      first_line_no: line.line_no,
      recipients: [],
    };
  }

  add(line: SmtpLineRecord): void {
    const r = this.record;
    r.line_count = (r.line_count ?? 0) + 1;
    if (line.time !== null) {
      if (r.start_time === null || line.time < r.start_time) r.start_time = line.time;
      if (r.end_time === null || line.time > r.end_time) r.end_time = line.time;
      this.lastTime = line.time;
    }
    r.server ??= line.server;
    r.local_endpoint ??= line.local_endpoint;
    r.remote_ip ??= line.remote_ip;
    if (line.event === '*' && line.argument !== null && TIMEOUT_TEXT.test(line.argument)) this.timedOut = true;
    if (line.verb !== null) this.onCommand(line.verb, line.argument, line.remote_host);
    if (line.reply_code !== null) this.onReply(line.reply_code, line.reply_text);
  }

  private onCommand(verb: string, argument: string | null, remoteHost: string | null): void {
    // IIS keeps only the first line of a multi-line reply: a command that got any reply line is done.
    while (this.pending.length > 0 && this.pending[0].stage !== 'waiting') this.settle(this.pending.shift()!, verb);
    const r = this.record;
    this.lastVerb = verb;
    let recipient: RecipientDraft | null = null;
    switch (verb) {
      case 'EHLO':
      case 'HELO':
        if (r.direction === 'inbound') r.remote_host ??= firstToken(argument) ?? remoteHost;
        break;
      case 'MAIL':
        r.mail_from ??= pathAddress(argument);
        break;
      case 'RCPT': {
        const address = pathAddress(argument);
        const domain = addressDomain(address);
        if (r.recipients.length < MAX_RECIPIENT_ROWS) {
          recipient = { recipient: address, domain, reply_code: null, reply_text: null };
          r.recipients.push(recipient);
        }
        if (domain !== null && this.domains.size < MAX_DOMAINS) this.domains.add(domain);
        break;
      }
      case 'XEXCH50': {
        r.xexch50_sent = true;
        r.xexch50_advertised = true; // Exchange sends it only to peers that advertised it (§4.5)
        const bytes = Number.parseInt(firstToken(argument) ?? '', 10);
        r.xexch50_bytes = Number.isNaN(bytes) ? null : bytes;
        this.xexch50 = 'sent';
        break;
      }
      case 'QUIT':
        this.quitSent = true;
        break;
      default:
        if (isMaskedVerb(verb)) r.masked_verbs = true;
    }
    if (this.pending.length === MAX_PENDING_COMMANDS) this.pending.shift();
    this.pending.push({ verb, argument, stage: 'waiting', recipient });
  }

  /**
   * A command answered without a final reply leaves the queue because the next one was sent. An
   * XEXCH50 whose blob was never acknowledged but was followed by a command other than QUIT
   * evidently went through (the sender waits for the acknowledgement).
   */
  private settle(command: PendingCommand, nextVerb: string): void {
    if (command.verb !== 'XEXCH50' || this.xexch50 !== 'go-ahead' || nextVerb === 'QUIT') return;
    this.record.xexch50_outcome = 'accepted';
    this.xexch50 = 'done';
  }

  private onReply(code: number, text: string | null): void {
    const head = this.pending[0];
    if (head === undefined) {
      this.onUnsolicitedReply(code, text);
      return;
    }
    if (head.verb === 'EHLO') this.onEhloLine(code, text);
    const continuation = isContinuation(text);
    if (head.stage === 'waiting') {
      this.onFirstReply(head, code, text);
    } else if (head.stage === 'go-ahead' && !continuation && code !== 354) {
      this.onReplyAfterBlob(head, code, text);
      head.stage = 'answered';
    }
    if (!continuation && head.stage === 'answered') this.pending.shift();
  }

  private onUnsolicitedReply(code: number, text: string | null): void {
    const r = this.record;
    if (r.banner_code === null && this.lastVerb === null) {
      r.banner_code = code;
      if (r.direction === 'outbound' && text !== null) r.remote_host ??= firstToken(replyBody(text));
      if (code >= 400) this.refused = true;
    } else {
      this.noteClosing(code, text);
    }
  }

  private onFirstReply(command: PendingCommand, code: number, text: string | null): void {
    const r = this.record;
    const ok = code >= 200 && code < 300;
    command.stage = 'answered';
    switch (command.verb) {
      case 'EHLO':
        if (ok) {
          r.greeting = 'EHLO';
          if (r.direction === 'outbound' && text !== null) r.remote_host ??= firstToken(replyBody(text));
        } else if (code >= 500) {
          r.ehlo_refused = true;
        }
        break;
      case 'HELO':
        if (ok) {
          r.greeting ??= 'HELO';
          if (r.direction === 'outbound' && text !== null) r.remote_host ??= firstToken(replyBody(text));
        }
        break;
      case 'RCPT':
        if (command.recipient !== null) {
          command.recipient.reply_code = code;
          command.recipient.reply_text = text;
        }
        if (ok) r.recipients_accepted = (r.recipients_accepted ?? 0) + 1;
        else if (code >= 400) r.recipients_rejected = (r.recipients_rejected ?? 0) + 1;
        break;
      case 'DATA':
        if (code === 354) command.stage = 'go-ahead';
        else if (ok) this.countMessage();
        break;
      case 'BDAT':
        if (ok && command.argument !== null && /\bLAST\b/i.test(command.argument)) this.countMessage();
        break;
      case 'XEXCH50':
        r.xexch50_reply_code = code;
        r.xexch50_reply_text = text;
        if (code === 354) {
          command.stage = 'go-ahead';
          this.xexch50 = 'go-ahead';
        } else {
          r.xexch50_outcome = ok ? 'accepted' : code === 504 ? 'refused-504' : 'refused';
          this.xexch50 = 'done';
        }
        break;
      case 'QUIT':
        this.quitAnswered = true;
        break;
      default:
        // A masked greeting refused before any greeting worked is the refused EHLO of §4.8.
        if (isMaskedVerb(command.verb) && code >= 500 && r.greeting === null) r.ehlo_refused = true;
    }
    this.noteClosing(code, text);
  }

  /** The reply after the data that followed a `354` (message body or XEXCH50 blob). */
  private onReplyAfterBlob(command: PendingCommand, code: number, text: string | null): void {
    const ok = code >= 200 && code < 300;
    if (command.verb === 'DATA') {
      if (ok) this.countMessage();
    } else if (command.verb === 'XEXCH50') {
      const r = this.record;
      r.xexch50_reply_code = code;
      r.xexch50_reply_text = text;
      r.xexch50_outcome = ok ? 'accepted' : 'refused';
      this.xexch50 = 'done';
    }
    this.noteClosing(code, text);
  }

  private onEhloLine(code: number, text: string | null): void {
    if (text === null) return; // only the code was logged (IIS inbound): the list is not visible
    this.ehloLines++;
    this.ehloTruncated = isContinuation(text);
    if (code >= 200 && code < 300 && /^XEXCH50\b/i.test(replyBody(text))) {
      this.record.xexch50_advertised = true;
    }
  }

  private noteClosing(code: number, text: string | null): void {
    if (code !== 421) return;
    if (text !== null && TIMEOUT_TEXT.test(text)) this.timedOut = true;
    else this.refused = true;
  }

  private countMessage(): void {
    this.record.messages_accepted = (this.record.messages_accepted ?? 0) + 1;
  }

  /** Fills the verdict columns; the record is final afterwards. */
  close(cause: SessionEndCause): SmtpSessionRecord {
    const r = this.record;
    // The EHLO list was visible when its last logged line was not a `250-` continuation.
    if (r.xexch50_advertised === null && this.ehloLines > 0 && !this.ehloTruncated) r.xexch50_advertised = false;
    // Unfinished: no reply, or `354` and no acknowledgement of the blob; at most a QUIT came after it.
    const xexch50Unfinished =
      (this.lastVerb === 'XEXCH50' || this.lastVerb === 'QUIT') && (this.xexch50 === 'sent' || this.xexch50 === 'go-ahead');
    const over = cause !== 'end-of-stream' || this.quitSent || this.refused || this.timedOut;
    if (xexch50Unfinished && over) r.xexch50_outcome = this.xexch50 === 'go-ahead' ? 'dropped-after-354' : 'dropped';
    r.recipient_domains = this.domains.size > 0 ? [...this.domains].join(',') : null;
    r.end_reason = over ? this.endReason(cause, xexch50Unfinished) : 'open';
    return r;
  }

  private endReason(cause: SessionEndCause, xexch50Unfinished: boolean): string {
    if (xexch50Unfinished) return 'dropped-after-xexch50';
    if (this.timedOut) return 'timeout';
    if (this.refused) return 'refused';
    if (this.quitSent) return (this.record.messages_accepted ?? 0) > 0 ? 'completed' : 'quit';
    return cause === 'idle' ? 'timeout' : 'dropped';
  }
}

function firstToken(text: string | null): string | null {
  if (text === null) return null;
  const trimmed = text.trim();
  if (trimmed.length === 0) return null;
  const space = trimmed.indexOf(' ');
  return space < 0 ? trimmed : trimmed.slice(0, space);
}

/** Follows every open session of one file and emits each as an smtp_sessions record when it ends. */
export class SmtpSessionTracker {
  private readonly idleNanos: bigint;
  /** Idle sessions are looked for at most this often (log time), so the hot path stays O(1). */
  private readonly sweepNanos: bigint;
  private readonly maxOpen: number;
  private readonly closeOnQuit: boolean;
  private readonly open = new Map<string, Session>();
  private lastSweep: bigint | null = null;
  private activity = 0;

  constructor(options: SessionTrackerOptions = {}) {
    this.idleNanos = BigInt(Math.round((options.idleSeconds ?? 600) * 1e9));
    this.sweepNanos = this.idleNanos / 10n;
    this.maxOpen = options.maxOpen ?? 10_000;
    this.closeOnQuit = options.closeOnQuit ?? false;
  }

  /**
   * Feeds one line (file order). `replayed`: the line lies before the source's emitFrom, so its
   * session must not be emitted. Returns the sessions that ended: idle ones (judged by this line's
   * time, checked every tenth of the idle window), those evicted by the memory cap, and this line's
   * own session when the line is a disconnect (`-`) or, with closeOnQuit, the answer to QUIT.
   */
  add(line: SmtpLineRecord, replayed = false): readonly SmtpSessionRecord[] {
    const key = line.session_key;
    if (key === null) return NOTHING;
    let ended: SmtpSessionRecord[] | null = null;
    if (line.time !== null) {
      if (this.lastSweep === null) this.lastSweep = line.time;
      else if (line.time - this.lastSweep >= this.sweepNanos) ended = this.closeIdle(line.time, key);
    }
    let session = this.open.get(key);
    if (session === undefined) {
      if (this.open.size >= this.maxOpen) ended = this.evictLeastActive(ended);
      session = new Session(line, key);
      this.open.set(key, session);
    }
    session.lastActivity = ++this.activity;
    session.replayed ||= replayed;
    session.add(line);
    if (line.event === '-' || (this.closeOnQuit && session.quitAnswered)) ended = pushEmitted(ended, this.closeSession(key, 'disconnect'));
    return ended ?? NOTHING;
  }

  /** Ends a session the reader knows is over (e.g. IIS: a new connection to the same peer began). */
  end(key: string, cause: SessionEndCause): SmtpSessionRecord | null {
    return this.closeSession(key, cause);
  }

  /** End of file: every session still open is emitted with end_reason `open` unless it already ended. */
  finish(): SmtpSessionRecord[] {
    const out: SmtpSessionRecord[] = [];
    for (const key of [...this.open.keys()]) {
      const record = this.closeSession(key, 'end-of-stream');
      if (record !== null) out.push(record);
    }
    return out;
  }

  private closeSession(key: string, cause: SessionEndCause): SmtpSessionRecord | null {
    const session = this.open.get(key);
    if (session === undefined) return null;
    this.open.delete(key);
    const record = session.close(cause);
    return session.replayed ? null : record;
  }

  private closeIdle(now: bigint, except: string): SmtpSessionRecord[] | null {
    this.lastSweep = now;
    let ended: SmtpSessionRecord[] | null = null;
    for (const [key, session] of this.open) {
      if (key === except || session.lastTime === null || now - session.lastTime <= this.idleNanos) continue;
      ended = pushEmitted(ended, this.closeSession(key, 'idle'));
    }
    return ended;
  }

  /** Closes the least recently active tenth of the open sessions (sorting once per many new sessions). */
  private evictLeastActive(ended: SmtpSessionRecord[] | null): SmtpSessionRecord[] | null {
    const byActivity = [...this.open.values()].sort((a, b) => a.lastActivity - b.lastActivity);
    for (const session of byActivity.slice(0, Math.max(1, Math.floor(byActivity.length / 10)))) {
      ended = pushEmitted(ended, this.closeSession(session.record.session_key!, 'idle'));
    }
    return ended;
  }
}

function pushEmitted(list: SmtpSessionRecord[] | null, record: SmtpSessionRecord | null): SmtpSessionRecord[] | null {
  if (record === null) return list;
  if (list === null) return [record];
  list.push(record);
  return list;
}
