// Windows-1252 decoding. Node's TextDecoder('windows-1252') decodes as Latin-1 since 20.18.3
// (nodejs/node#60888), so bytes 0x80–0x9F (€, curly quotes, dashes, …) would come out as C1
// control characters: Latin-1 decoding, then those 32 bytes mapped by the WHATWG table.

/** Code points of bytes 0x80–0x9F (WHATWG Encoding Standard, index-windows-1252; 0x81, 0x8D, 0x8F, 0x90, 0x9D map to themselves). */
const HIGH_CONTROLS = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

const HAS_C1 = /[\u0080-\u009f]/;
const EACH_C1 = /[\u0080-\u009f]/g;

export function decodeWindows1252(bytes: Buffer, start = 0, end = bytes.length): string {
  const text = bytes.toString('latin1', start, end);
  return HAS_C1.test(text) ? text.replace(EACH_C1, (c) => String.fromCharCode(HIGH_CONTROLS[c.charCodeAt(0) - 0x80])) : text;
}
