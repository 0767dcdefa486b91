// Enhanced status codes (`4.4.7`, `5.4.0`, ...) found in tracking status, NDR text and SMTP replies:
// extraction, plus meaning and diagnosis class from the data table status-codes.json.
import { readFileSync } from 'node:fs';

export type StatusClass = 'dns' | 'unreachable' | 'recipient' | 'expired' | 'other';

export interface StatusCodeInfo {
  code: string;
  meaning: string | null;
  class: StatusClass;
}

interface StatusCodeTable {
  classes: StatusClass[];
  codes: Record<string, { meaning: string; class: StatusClass }>;
  bySubject: Record<string, StatusClass>;
}

const table = JSON.parse(readFileSync(new URL('./status-codes.json', import.meta.url), 'utf8')) as StatusCodeTable;

// class.subject.detail per RFC 3463; the class digit is 2, 4 or 5. `#4.4.7` (NDR text) matches too.
const ENHANCED_CODE = /(?:^|[^\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/;

/** The first enhanced status code in `text`, e.g. `4.4.7` from `550 4.4.7 QUEUE.Expired`; null if none. */
export function findStatusCode(text: string | null): string | null {
  if (!text) return null;
  const m = ENHANCED_CODE.exec(text);
  return m ? m[1] : null;
}

export function statusCodeInfo(code: string): StatusCodeInfo {
  const known = table.codes[code];
  if (known) return { code, meaning: known.meaning, class: known.class };
  const subject = code.split('.')[1];
  return { code, meaning: null, class: table.bySubject[subject] ?? 'other' };
}
