// Small helpers for the text of SMTP commands and replies, shared by every protocol-log reader
// (IIS SMTPSVC and Exchange 2007+ SEND/RECV) so smtp_lines rows look the same whatever the source.

export interface SmtpCommand {
  /** Upper-case verb, e.g. `EHLO`, `XEXCH50`, `XXXX` (a firewall-masked verb). */
  verb: string;
  /** The rest of the command line, trimmed; null when empty. */
  argument: string | null;
}

/** Splits `MAIL FROM:<a@b> SIZE=10` into verb `MAIL` and argument `FROM:<a@b> SIZE=10`. */
export function splitCommand(text: string): SmtpCommand | null {
  const trimmed = text.trim();
  if (trimmed.length === 0) return null;
  const space = trimmed.indexOf(' ');
  if (space < 0) return { verb: trimmed.toUpperCase(), argument: null };
  const argument = trimmed.slice(space + 1).trim();
  return { verb: trimmed.slice(0, space).toUpperCase(), argument: argument.length > 0 ? argument : null };
}

/** The three-digit code at the start of a reply line (`250-XEXCH50`, `354 Send data`), or null. */
export function replyCode(text: string): number | null {
  if (text.length < 3) return null;
  const a = text.charCodeAt(0) - 48;
  const b = text.charCodeAt(1) - 48;
  const c = text.charCodeAt(2) - 48;
  if (a < 1 || a > 5 || b < 0 || b > 9 || c < 0 || c > 9) return null;
  if (text.length > 3 && text[3] !== ' ' && text[3] !== '-') return null;
  return a * 100 + b * 10 + c;
}

/** A `250-…` line announces more lines of the same reply; `250 …` (or a bare code) ends it. */
export function isContinuation(replyText: string | null): boolean {
  return replyText !== null && replyText.length > 3 && replyText[3] === '-';
}

/** The text after the code and its separator: `250-XEXCH50` → `XEXCH50`. */
export function replyBody(replyText: string): string {
  return replyText.length > 4 ? replyText.slice(4).trim() : '';
}

/** The address inside `TO:<a@b>` / `FROM: <a@b> SIZE=1` (angle brackets optional), or null. */
export function pathAddress(argument: string | null): string | null {
  if (argument === null) return null;
  const open = argument.indexOf('<');
  if (open >= 0) {
    const close = argument.indexOf('>', open + 1);
    const inner = argument.slice(open + 1, close < 0 ? undefined : close).trim();
    return inner.length > 0 ? inner : null;
  }
  const colon = argument.indexOf(':');
  const rest = (colon >= 0 ? argument.slice(colon + 1) : argument).trim();
  const end = rest.indexOf(' ');
  const address = end < 0 ? rest : rest.slice(0, end);
  return address.length > 0 ? address : null;
}

/** Lower-case domain of an address, or null when it has none. */
export function addressDomain(address: string | null): string | null {
  if (address === null) return null;
  const at = address.lastIndexOf('@');
  if (at < 0 || at === address.length - 1) return null;
  return address.slice(at + 1).toLowerCase();
}
