// libevtx (python3-libevtx 20181227) as an oracle: its documented deviations from Windows
// (evtx-format.md 13.3) are accepted by rule, never by record.
import type { EventRecord } from '../../src/store/records.js';
import { isoFromNanos } from '../../src/util/timezone.js';
import type { OracleRecord } from './helpers.js';

/** XML parsing turns CR LF into LF (libevtx's XML goes through ElementTree). */
function lineEnds(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/**
 * libevtx prints a negative Int32/Int64 as minus the value's bits without the sign bit:
 * -2147024894 (0x80070002) as -458754, -28799616 (Int64) as -9223372036825976192.
 */
function libevtxNegativeInteger(ours: string, theirs: string): boolean {
  if (!/^-\d+$/.test(ours)) return false;
  const value = BigInt(ours);
  return [32, 64].some((bits) => {
    const magnitude = BigInt.asUintN(bits, value) & ((1n << BigInt(bits - 1)) - 1n);
    return value >= -(1n << BigInt(bits - 1)) && theirs === `-${magnitude}`;
  });
}

/** libevtx zero-pads HexInt32/64 and SizeT to 8/16 digits and may print them in upper case. */
function libevtxPaddedHex(ours: string, theirs: string): boolean {
  return /^0x[0-9a-f]+$/.test(ours) && /^0x[0-9a-fA-F]+$/.test(theirs) && BigInt(ours) === BigInt(theirs);
}

/** libevtx prints GUID values in upper case; Windows in lower case. */
function libevtxGuidCase(ours: string, theirs: string): boolean {
  return /^\{[0-9a-f-]{36}\}$/.test(ours) && theirs.toLowerCase() === ours;
}

/** libevtx prints FILETIME with 9 fractional digits (two trailing zeros); Windows with 7. */
function libevtxFiletime(ours: string, theirs: string): boolean {
  const m = /^(.*\.\d{7})00Z$/.exec(theirs);
  return m !== null && `${m[1]}Z` === ours;
}

/** libevtx writes an empty string where Windows (and we) have a value of only line breaks. */
function libevtxDropsNewlines(ours: string, theirs: string): boolean {
  return theirs === '' && /^[\r\n]+$/.test(ours);
}

/** libevtx turns an unpaired surrogate and the code unit after it into one U+FFFD; we keep that unit. */
function libevtxSwallowsAfterBadSurrogate(ours: string, theirs: string): boolean {
  return ours.includes('\ufffd') && ours.replace(/\ufffd[^]/g, '\ufffd') === theirs;
}

const VALUE_RULES = [libevtxSwallowsAfterBadSurrogate, libevtxNegativeInteger, libevtxPaddedHex, libevtxGuidCase, libevtxFiletime, libevtxDropsNewlines];

/** How often each deviation rule was needed, for the test log (a rule that never fires is visible). */
export const ruleHits = new Map<string, number>();

function valueAgrees(ours: string, theirs: string): boolean {
  const a = lineEnds(ours);
  const b = lineEnds(theirs);
  if (a === b) return true;
  const rule = VALUE_RULES.find((r) => r(a, b));
  if (rule) ruleHits.set(rule.name, (ruleHits.get(rule.name) ?? 0) + 1);
  return rule !== undefined;
}

/** What differs between our record and libevtx's, after the deviation rules; empty when they agree. */
export function differences(ours: EventRecord, theirs: OracleRecord): string[] {
  const out: string[] = [];
  const same = (field: string, a: string | null, b: string | null) => {
    if (a !== b) out.push(`${field}: ours ${JSON.stringify(a)} libevtx ${JSON.stringify(b)}`);
  };
  same('EventRecordID', String(ours.record_id), theirs.record_id);
  same('EventID', String(ours.event_id), theirs.event_id);
  same('Qualifiers', ours.qualifiers === null ? null : String(ours.qualifiers), theirs.qualifiers);
  same('Provider', ours.provider, theirs.provider);
  same('Channel', ours.channel, theirs.channel);
  same('Computer', ours.computer, theirs.computer);
  const time = ours.time_created === null ? null : isoFromNanos(ours.time_created, 7);
  if (time === null || theirs.time_created === null || !libevtxFiletime(time, theirs.time_created)) {
    same('TimeCreated', time, theirs.time_created);
  }
  const binary = ours.binary === null ? null : Buffer.from(ours.binary).toString('hex').toUpperCase();
  same('Binary', binary, theirs.binary);
  if (ours.data.length !== theirs.data.length) {
    out.push(`Data count: ours ${ours.data.length} libevtx ${theirs.data.length}`);
    return out;
  }
  ours.data.forEach((item, i) => {
    const [name, value] = theirs.data[i];
    if (item.name !== name) out.push(`Data[${i}] name: ours ${item.name} libevtx ${name}`);
    if (!valueAgrees(item.value, value)) out.push(`Data[${i}] ${item.name ?? ''}: ours ${JSON.stringify(item.value)} libevtx ${JSON.stringify(value)}`);
  });
  return out;
}
