// The Binary data of classic event sources often carries text: ISA's SmtpEvt 20031 stores the
// rejected command (`XEXCH50 1020`) as ASCII. Decode it when it is printable, else leave it null.

const PRINTABLE = /^[\x20-\x7e\t\r\n]+$/;

export function binaryText(bytes: Uint8Array | null): string | null {
  if (!bytes || bytes.length === 0) return null;
  const trimmed = trimTrailingNuls(bytes);
  if (trimmed.length === 0) return null;
  const ascii = Buffer.from(trimmed.buffer, trimmed.byteOffset, trimmed.length).toString('latin1');
  if (PRINTABLE.test(ascii)) return ascii.trim() || null;
  if (trimmed.length % 2 === 0 || bytes.length % 2 === 0) {
    const even = trimmed.length % 2 === 0 ? trimmed : bytes.subarray(0, trimmed.length + 1);
    const utf16 = Buffer.from(even.buffer, even.byteOffset, even.length).toString('utf16le').replace(/\0+$/, '');
    if (utf16.length > 0 && PRINTABLE.test(utf16)) return utf16.trim() || null;
  }
  return null;
}

function trimTrailingNuls(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.subarray(0, end);
}
