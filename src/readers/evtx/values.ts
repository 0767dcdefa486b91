// Substitution values (the typed array behind a template instance), rendered as text the way
// Windows' own XML export renders them (evtx-format.md sections 7 and 12). Every reader takes the
// value's declared size, never the type's nominal width.

export const VALUE_NULL = 0x00;
export const VALUE_STRING = 0x01;
export const VALUE_ANSI = 0x02;
export const VALUE_BOOL = 0x0d;
export const VALUE_BINARY = 0x0e;
export const VALUE_GUID = 0x0f;
export const VALUE_SIZET = 0x10;
export const VALUE_FILETIME = 0x11;
export const VALUE_SYSTEMTIME = 0x12;
export const VALUE_SID = 0x13;
export const VALUE_HEXINT32 = 0x14;
export const VALUE_HEXINT64 = 0x15;
export const VALUE_BINXML = 0x21;
export const VALUE_EVTXML = 0x23;
export const ARRAY_FLAG = 0x80;

/** FILETIME of 1970-01-01T00:00:00Z (100 ns ticks since 1601). */
const FILETIME_UNIX_EPOCH = 116444736000000000n;

/** FILETIME ticks → nanoseconds since the Unix epoch; exact, never through a float. */
export function filetimeToNanos(ticks: bigint): bigint {
  return (ticks - FILETIME_UNIX_EPOCH) * 100n;
}

/** `2025-06-08T07:14:05.1454614Z` from FILETIME ticks. */
export function renderFiletime(ticks: bigint): string {
  const sinceEpoch = ticks - FILETIME_UNIX_EPOCH;
  let ms = sinceEpoch / 10_000n;
  let rest = sinceEpoch % 10_000n;
  if (rest < 0n) {
    ms -= 1n;
    rest += 10_000n;
  }
  const date = new Date(Number(ms));
  const base = date.toISOString(); // YYYY-MM-DDThh:mm:ss.sssZ for years 0..9999
  const millis = base.slice(20, 23);
  return `${base.slice(0, 19)}.${millis}${rest.toString().padStart(4, '0')}Z`;
}

function stripNuls(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** ES2024 String.prototype.toWellFormed (V8 in Node 20 has it; the TS lib here is ES2023). */
type WellFormable = string & { toWellFormed(): string };

export function wellFormed(text: string): string {
  return (text as WellFormable).toWellFormed();
}

/** Up to this many UTF-16 units, decoding in JS is cheaper than the native call (most values are this short). */
const SHORT_TEXT_UNITS = 8;

/**
 * UTF-16LE text without its trailing NULs. Unpaired surrogates (damaged or odd strings) become
 * U+FFFD, so every value survives the UTF-8 of JSON, XML and DuckDB unchanged.
 */
function utf16(buf: Buffer, offset: number, size: number): string {
  let end = offset + (size & ~1);
  while (end > offset && buf[end - 1] === 0 && buf[end - 2] === 0) end -= 2;
  if (end - offset > 2 * SHORT_TEXT_UNITS) return wellFormed(buf.toString('utf16le', offset, end));
  let text = '';
  for (let p = offset; p < end; p += 2) {
    const unit = buf[p] | (buf[p + 1] << 8);
    if (unit >= 0xd800 && unit <= 0xdfff) return wellFormed(buf.toString('utf16le', offset, end));
    text += String.fromCharCode(unit);
  }
  return text;
}

const TWO_TO_32 = 0x1_0000_0000;
/** Above this high word a 64-bit integer no longer fits a double exactly. */
const MAX_EXACT_HIGH_WORD = 0x1f_ffff;

/** A u64 as a Number (rounded to nearest above 2^53, as Number(bigint) does): no BigInt on the way. */
function readUInt64Number(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset + 4) * TWO_TO_32 + buf.readUInt32LE(offset);
}

function readInt64Number(buf: Buffer, offset: number): number {
  return buf.readInt32LE(offset + 4) * TWO_TO_32 + buf.readUInt32LE(offset);
}

const HEX_DIGITS = '0123456789abcdef';

/** Lower-case hex digits of a u32, at least `minDigits` of them (Number#toString(16) is several times slower). */
function hexDigits(value: number, minDigits: number): string {
  let text = '';
  let digits = 0;
  do {
    text = HEX_DIGITS[value & 15] + text;
    value >>>= 4;
    digits++;
  } while (value !== 0 || digits < minDigits);
  return text;
}

/** `0x…` of a u32, unpadded. */
function hex32(buf: Buffer, offset: number): string {
  return '0x' + hexDigits(buf.readUInt32LE(offset), 1);
}

/** `0x…` of a u64, unpadded. */
function hex64(buf: Buffer, offset: number): string {
  const high = buf.readUInt32LE(offset + 4);
  const low = buf.readUInt32LE(offset);
  return high === 0 ? '0x' + hexDigits(low, 1) : '0x' + hexDigits(high, 1) + hexDigits(low, 8);
}

/** Decimal text of a u64, through BigInt only when it exceeds 2^53. */
function decimalUInt64(buf: Buffer, offset: number): string {
  return buf.readUInt32LE(offset + 4) <= MAX_EXACT_HIGH_WORD ? String(readUInt64Number(buf, offset)) : buf.readBigUInt64LE(offset).toString();
}

/** `{00000000-0000-0000-0000-000000000000}`: the text is written into this buffer and read out once. */
const guidText = Buffer.from('{00000000-0000-0000-0000-000000000000}', 'latin1');
/** GUID byte order in the text (the first three fields are little-endian)... */
const GUID_BYTE_ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
/** ...and where each byte's two digits go. */
const GUID_DIGITS_AT = [1, 3, 5, 7, 10, 12, 15, 17, 20, 22, 25, 27, 29, 31, 33, 35];

function renderGuid(buf: Buffer, o: number): string {
  for (let i = 0; i < 16; i++) {
    const byte = buf[o + GUID_BYTE_ORDER[i]];
    const at = GUID_DIGITS_AT[i];
    guidText[at] = HEX_DIGITS.charCodeAt(byte >> 4);
    guidText[at + 1] = HEX_DIGITS.charCodeAt(byte & 15);
  }
  return guidText.toString('latin1');
}

/** SID: revision, sub-authority count n, 6-byte big-endian authority, n × u32 LE. Length 8 + 4n. */
function sidLength(buf: Buffer, o: number, size: number): number {
  if (size < 8) return -1;
  const length = 8 + 4 * buf[o + 1];
  return length <= size ? length : -1;
}

function renderSid(buf: Buffer, o: number, length: number): string {
  const authority = buf.readUIntBE(o + 2, 6);
  let text = `S-${buf[o]}-${authority}`;
  for (let p = o + 8; p < o + length; p += 4) text += `-${buf.readUInt32LE(p)}`;
  return text;
}

function padded(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** ISO 8601 with the millisecond SYSTEMTIME holds (Windows' exact text for it is unconfirmed). */
function renderSystemtime(buf: Buffer, o: number): string {
  // SYSTEMTIME: year, month, day of week, day, hour, minute, second, milliseconds (u16 each).
  return (
    `${padded(buf.readUInt16LE(o), 4)}-${padded(buf.readUInt16LE(o + 2), 2)}-${padded(buf.readUInt16LE(o + 6), 2)}` +
    `T${padded(buf.readUInt16LE(o + 8), 2)}:${padded(buf.readUInt16LE(o + 10), 2)}:${padded(buf.readUInt16LE(o + 12), 2)}` +
    `.${padded(buf.readUInt16LE(o + 14), 3)}Z`
  );
}

/** Width of one item of a fixed-size type, 0 for variable-size types. */
function fixedWidth(type: number, size: number): number {
  switch (type) {
    case 0x03:
    case 0x04:
      return 1;
    case 0x05:
    case 0x06:
      return 2;
    case 0x07:
    case 0x08:
    case 0x0b:
    case VALUE_BOOL:
    case VALUE_HEXINT32:
      return 4;
    case 0x09:
    case 0x0a:
    case 0x0c:
    case VALUE_FILETIME:
    case VALUE_HEXINT64:
      return 8;
    case VALUE_SIZET:
      return size === 4 ? 4 : 8;
    case VALUE_GUID:
    case VALUE_SYSTEMTIME:
      return 16;
    default:
      return 0;
  }
}

/** Thrown for a value that cannot be rendered (wrong size for its type); the record is rejected. */
export class ValueError extends Error {}

/** Text of one scalar value of `type` occupying exactly [offset, offset + size). */
export function renderScalar(buf: Buffer, offset: number, size: number, type: number): string {
  if (type === VALUE_STRING) return utf16(buf, offset, size); // by far the most common
  const width = fixedWidth(type, size);
  if (width > 0 && size < width) {
    if (size === 0) return '';
    throw new ValueError(`value of type 0x${type.toString(16)} has size ${size}, expected ${width}`);
  }
  switch (type) {
    case VALUE_NULL:
      return '';
    case VALUE_EVTXML:
      return utf16(buf, offset, size);
    case VALUE_ANSI:
      return stripNuls(buf.toString('latin1', offset, offset + size));
    case 0x03:
      return String(buf.readInt8(offset));
    case 0x04:
      return String(buf[offset]);
    case 0x05:
      return String(buf.readInt16LE(offset));
    case 0x06:
      return String(buf.readUInt16LE(offset));
    case 0x07:
      return String(buf.readInt32LE(offset));
    case 0x08:
      return String(buf.readUInt32LE(offset));
    case 0x09:
      return buf.readBigInt64LE(offset).toString();
    case 0x0a:
      return decimalUInt64(buf, offset);
    // Windows' text for Real32/Real64 and for Bool values other than 0/1 is unconfirmed
    // (evtx-format.md section 7); these are JavaScript's shortest round-trip text and C truthiness.
    case 0x0b:
      return String(buf.readFloatLE(offset));
    case 0x0c:
      return String(buf.readDoubleLE(offset));
    case VALUE_BOOL:
      return buf.readUInt32LE(offset) === 0 ? 'false' : 'true';
    case VALUE_BINARY:
      return buf.toString('hex', offset, offset + size).toUpperCase();
    case VALUE_GUID:
      return renderGuid(buf, offset);
    case VALUE_SIZET:
      return size === 4 ? hex32(buf, offset) : hex64(buf, offset);
    case VALUE_FILETIME:
      return renderFiletime(buf.readBigUInt64LE(offset));
    case VALUE_SYSTEMTIME:
      return renderSystemtime(buf, offset);
    case VALUE_SID: {
      const length = sidLength(buf, offset, size);
      if (length < 0) throw new ValueError(`SID of ${size} bytes is shorter than its sub-authority count says`);
      return renderSid(buf, offset, length);
    }
    case VALUE_HEXINT32:
      return hex32(buf, offset);
    case VALUE_HEXINT64:
      return hex64(buf, offset);
    default:
      // EvtHandle and unknown types: Windows shows nothing readable; keep the bytes as hex.
      return buf.toString('hex', offset, offset + size).toUpperCase();
  }
}

/**
 * An integer-typed value (Int8…UInt64, HexInt32/64, SizeT) as a Number, without going through
 * text; null for other types or a size that does not fit the type.
 */
export function integerValue(buf: Buffer, offset: number, size: number, type: number): number | null {
  switch (type) {
    case 0x03:
      return size >= 1 ? buf.readInt8(offset) : null;
    case 0x04:
      return size >= 1 ? buf[offset] : null;
    case 0x05:
      return size >= 2 ? buf.readInt16LE(offset) : null;
    case 0x06:
      return size >= 2 ? buf.readUInt16LE(offset) : null;
    case 0x07:
      return size >= 4 ? buf.readInt32LE(offset) : null;
    case 0x08:
    case VALUE_HEXINT32:
      return size >= 4 ? buf.readUInt32LE(offset) : null;
    case 0x09:
      return size >= 8 ? readInt64Number(buf, offset) : null;
    case 0x0a:
    case VALUE_HEXINT64:
      return size >= 8 ? readUInt64Number(buf, offset) : null;
    case VALUE_SIZET:
      return size === 4 ? buf.readUInt32LE(offset) : size >= 8 ? readUInt64Number(buf, offset) : null;
    default:
      return null;
  }
}

/** Items of an array value (type 0x80 | t), one string per item; an empty array is one empty item. */
export function renderArray(buf: Buffer, offset: number, size: number, type: number): string[] {
  const itemType = type & ~ARRAY_FLAG;
  if (size === 0) return [''];
  if (itemType === VALUE_STRING || itemType === VALUE_ANSI) {
    const text =
      itemType === VALUE_STRING
        ? wellFormed(buf.toString('utf16le', offset, offset + (size & ~1)))
        : buf.toString('latin1', offset, offset + size);
    const items = text.split('\0');
    if (items.length > 1 && items[items.length - 1] === '') items.pop();
    return items;
  }
  if (itemType === VALUE_SID) {
    const items: string[] = [];
    for (let p = offset; p < offset + size; ) {
      const length = sidLength(buf, p, offset + size - p);
      if (length < 0) throw new ValueError(`SID array item at +${p - offset} is truncated`);
      items.push(renderSid(buf, p, length));
      p += length;
    }
    return items;
  }
  const width = fixedWidth(itemType, itemType === VALUE_SIZET && size % 8 !== 0 ? 4 : 8);
  if (width === 0 || size % width !== 0) {
    throw new ValueError(`array of type 0x${type.toString(16)} has size ${size}, not a multiple of its item width`);
  }
  const items: string[] = [];
  for (let p = offset; p < offset + size; p += width) items.push(renderScalar(buf, p, width, itemType));
  return items;
}
