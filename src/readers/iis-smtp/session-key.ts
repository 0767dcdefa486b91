// IIS SMTPSVC logs carry no session id, so the reader derives one. Rule (inferred from how IIS
// writes the log, log-formats.md §4.4, §4.6, §4.8):
//
// A session is the run of rows with the same direction and the same remote IP (c-ip) — rows of
// other peers may interleave freely, as they do in a busy log with several concurrent inbound and
// outbound connections. A new session for that peer starts when
// - the previous session's QUIT was answered, or it sent QUIT and a further command (or a banner)
//   follows,
// - an outbound `220` banner arrives after the session already had rows (the retry of a dropped
//   connection starts again with the banner; `220` right after STARTTLS is not a banner),
// - a greeting (EHLO/HELO) comes after a greeting that already succeeded (not after STARTTLS),
// - no row for the peer came within the idle window (10 minutes by default).
// The key is `<direction>/<remote IP>/<n>`, n counting sessions in the file from 1.
// Limitation: two connections open at the same time to the same remote IP cannot be told apart in
// this log; the second one's banner starts a new session and later rows of the first land in it.
import type { SessionEndCause } from '../smtp/sessions.js';
import type { SmtpLineDraft } from './row.js';

interface PeerSession {
  key: string;
  rows: number;
  lastTime: bigint | null;
  /** Keyer-wide row counter at this peer's latest row (for the memory cap). */
  lastActivity: number;
  lastVerb: string | null;
  greeted: boolean;
  quit: boolean;
  /** QUIT got its reply: whatever comes next from this peer is a new connection. */
  quitAnswered: boolean;
}

export interface KeyAssignment {
  /** The peer's previous session, ended by this row. */
  endedKey: string;
  cause: SessionEndCause;
}

const GREETINGS = new Set(['EHLO', 'HELO']);

export class IisSessionKeyer {
  /** Current session per remote IP, one map per direction. */
  private readonly inbound = new Map<string, PeerSession>();
  private readonly outbound = new Map<string, PeerSession>();
  private readonly idleNanos: bigint;
  private count = 0;
  private activity = 0;
  private lastSweep: bigint | null = null;

  constructor(idleSeconds = 600, private readonly maxPeers = 10_000) {
    this.idleNanos = BigInt(Math.round(idleSeconds * 1e9));
  }

  /** Sets `session_key` and `sequence` on the row; says which earlier session, if any, it ended. */
  assign(line: SmtpLineDraft): KeyAssignment | null {
    const outbound = line.direction === 'outbound';
    const peers = outbound ? this.outbound : this.inbound;
    const ip = line.remote_ip ?? '-';
    let session = peers.get(ip);
    let ended: KeyAssignment | null = null;
    if (session !== undefined) {
      const idle = line.time !== null && session.lastTime !== null && line.time - session.lastTime > this.idleNanos;
      if (idle || startsNewSession(session, line)) {
        ended = { endedKey: session.key, cause: idle ? 'idle' : 'new-connection' };
        session = undefined;
      }
    }
    if (session === undefined) {
      if (peers.size >= this.maxPeers) forgetLeastActive(peers);
      session = {
        key: `${outbound ? 'out' : 'in'}/${ip}/${++this.count}`,
        rows: 0,
        lastTime: null,
        lastActivity: 0,
        lastVerb: null,
        greeted: false,
        quit: false,
        quitAnswered: false,
      };
      peers.set(ip, session);
    }
    session.lastActivity = ++this.activity;
    line.session_key = session.key;
    line.sequence = session.rows++;
    if (line.time !== null) session.lastTime = line.time;
    if (session.quit && line.reply_code !== null) session.quitAnswered = true;
    if (line.verb !== null) {
      session.lastVerb = line.verb;
      if (line.verb === 'QUIT') session.quit = true;
    }
    if (line.verb === 'QUIT' && line.reply_code !== null) session.quitAnswered = true;
    const ok = line.reply_code !== null && line.reply_code >= 200 && line.reply_code < 300;
    if (ok && session.lastVerb !== null && GREETINGS.has(session.lastVerb)) session.greeted = true;
    // A finished conversation needs no state: the peer's next row starts a new session anyway.
    if (session.quitAnswered) peers.delete(ip);
    if (line.time !== null) this.forgetIdle(line.time);
    return ended;
  }

  /** Every tenth of the idle window (log time), forgets peers idle for longer than the window. */
  private forgetIdle(now: bigint): void {
    if (this.lastSweep === null) this.lastSweep = now;
    if (now - this.lastSweep < this.idleNanos / 10n) return;
    this.lastSweep = now;
    for (const peers of [this.inbound, this.outbound]) {
      for (const [ip, session] of peers) if (session.lastTime !== null && now - session.lastTime > this.idleNanos) peers.delete(ip);
    }
  }
}

/** Memory cap (time-less logs): the tenth of the peers seen longest ago is forgotten (open sessions end by idleness). */
function forgetLeastActive(peers: Map<string, PeerSession>): void {
  const byActivity = [...peers].sort((a, b) => a[1].lastActivity - b[1].lastActivity);
  for (const [ip] of byActivity.slice(0, Math.max(1, Math.floor(byActivity.length / 10)))) peers.delete(ip);
}

function startsNewSession(session: PeerSession, line: SmtpLineDraft): boolean {
  const banner = line.verb === null && line.reply_code === 220 && line.direction === 'outbound';
  if (session.quitAnswered) return true;
  if (session.quit) return line.verb !== null || banner;
  if (session.lastVerb === 'STARTTLS') return false;
  if (banner) return true;
  return line.verb !== null && GREETINGS.has(line.verb) && session.greeted;
}
