// BinXML constructs the corpus does not isolate, on a chunk built byte by byte here: an array of
// UInt16 repeating its <Data>, an optional NULL removing an attribute and an element, a 4-byte
// Bool followed by a value that must stay aligned, entity and character references, a BinXml
// value holding a flat fragment (elements without dependency id, names inline), and a second
// record reusing the cached template and names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import { isoFromNanos } from '../../src/util/timezone.js';
import { bufferSource } from '../../src/readers/byte-source.js';
import { readBuffer, readSource } from './helpers.js';

/** Writes BinXML into a chunk, tracking chunk-relative positions for names and templates. */
class ChunkWriter {
  readonly buf = Buffer.alloc(0x10000);
  pos = 512;
  private readonly names = new Map<string, number>();

  u8(v: number): this {
    this.buf[this.pos++] = v;
    return this;
  }
  u16(v: number): this {
    this.buf.writeUInt16LE(v, this.pos);
    this.pos += 2;
    return this;
  }
  u32(v: number): this {
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }
  bytes(b: Buffer): this {
    b.copy(this.buf, this.pos);
    this.pos += b.length;
    return this;
  }
  /** A name reference: inline at first use, a back-reference afterwards. */
  name(text: string): this {
    const known = this.names.get(text);
    if (known !== undefined) return this.u32(known);
    const at = this.pos + 4;
    this.names.set(text, at);
    return this.u32(at).u32(0).u16(0).u16(text.length).bytes(Buffer.from(`${text}\0`, 'utf16le'));
  }
  open(name: string, withDependencyId: boolean, attributes = false): this {
    this.u8(attributes ? 0x41 : 0x01);
    if (withDependencyId) this.u16(0xffff);
    this.u32(0); // data size (not used by readers)
    this.name(name);
    if (attributes) this.u32(0); // attribute list size
    return this;
  }
  attribute(name: string, more = false): this {
    return this.u8(more ? 0x46 : 0x06).name(name);
  }
  text(value: string): this {
    return this.u8(0x05).u8(0x01).u16(value.length).bytes(Buffer.from(value, 'utf16le'));
  }
  sub(index: number, type: number, optional = false): this {
    return this.u8(optional ? 0x0e : 0x0d).u16(index).u8(type);
  }
}

/** FILETIME of 2019-11-04T13:46:01.1713393Z. */
const TIME_TICKS = BigInt(Date.UTC(2019, 10, 4, 13, 46, 1)) * 10_000n + 1_713_393n + 116_444_736_000_000_000n;

function buildFile(): Buffer {
  const w = new ChunkWriter();
  const record = (id: number, build: () => void) => {
    const start = w.pos;
    w.bytes(Buffer.from([0x2a, 0x2a, 0, 0])).u32(0);
    w.buf.writeBigUInt64LE(BigInt(id), w.pos);
    w.pos += 8;
    w.buf.writeBigUInt64LE(TIME_TICKS, w.pos);
    w.pos += 8;
    build();
    const size = w.pos + 4 - start;
    w.u32(size);
    w.buf.writeUInt32LE(size, start + 4);
  };
  let definitionAt = 0;
  const values = (ports: number[], flag: number, nested: Buffer) => {
    const u16s = Buffer.alloc(2 * ports.length);
    ports.forEach((p, i) => u16s.writeUInt16LE(p, 2 * i));
    const time = Buffer.alloc(8);
    time.writeBigUInt64LE(TIME_TICKS);
    const recordId = Buffer.alloc(8);
    recordId.writeBigUInt64LE(5n);
    const bool = Buffer.alloc(4);
    bool.writeUInt32LE(flag);
    const after = Buffer.alloc(4);
    after.writeUInt32LE(0xbeef);
    const list: [number, Buffer][] = [
      [0x06, Buffer.from([0x34, 0x12])], // 0 EventID 4660
      [0x11, time], // 1 TimeCreated
      [0x0a, recordId], // 2 EventRecordID
      [0x00, Buffer.alloc(0)], // 3 Security/@UserID: NULL
      [0x86, u16s], // 4 UInt16 array
      [0x00, Buffer.alloc(0)], // 5 NULL: removes <Data Name='gone'>
      [0x0d, bool], // 6 Bool, 4 bytes
      [0x14, after], // 7 HexInt32 after the Bool
      [0x21, nested], // 8 BinXml
    ];
    w.u32(list.length);
    for (const [type, bytes] of list) w.u16(bytes.length).u8(type).u8(0);
    for (const [, bytes] of list) w.bytes(bytes);
  };
  const writeInstance = (first: boolean, ports: number[], flag: number) => {
    w.u8(0x0f).u8(1).u8(1).u8(0);
    w.u8(0x0c).u8(1).u32(1);
    if (first) {
      definitionAt = w.pos + 4;
      w.u32(definitionAt);
      w.u32(0).bytes(Buffer.alloc(16)).u32(0);
      const bodyStart = w.pos;
      w.u8(0x0f).u8(1).u8(1).u8(0);
      w.open('Event', true).u8(0x02);
      w.open('System', true).u8(0x02);
      w.open('Provider', true, true).attribute('Name').text('Test').u8(0x03);
      w.open('EventID', true).u8(0x02).sub(0, 0x06).u8(0x04);
      w.open('TimeCreated', true, true).attribute('SystemTime').sub(1, 0x11).u8(0x03);
      w.open('EventRecordID', true).u8(0x02).sub(2, 0x0a).u8(0x04);
      w.open('Channel', true).u8(0x02).text('Ch').u8(0x04);
      w.open('Security', true, true).attribute('UserID').sub(3, 0x13, true).u8(0x03);
      w.u8(0x04); // </System>
      w.open('EventData', true).u8(0x02);
      w.open('Data', true, true).attribute('Name').text('ports').u8(0x02).sub(4, 0x86).u8(0x04);
      w.open('Data', true, true).attribute('Name').text('gone').u8(0x02).sub(5, 0x01, true).u8(0x04);
      w.open('Data', true, true).attribute('Name').text('flag').u8(0x02).sub(6, 0x0d).u8(0x04);
      w.open('Data', true, true).attribute('Name').text('after').u8(0x02).sub(7, 0x14).u8(0x04);
      w.open('Data', true, true).attribute('Name').text('amp').u8(0x02).text('a');
      w.u8(0x09).name('amp').text('b').u8(0x08).u16(65).u8(0x04);
      w.sub(8, 0x21);
      w.u8(0x04); // </EventData>
      w.u8(0x04); // </Event>
      w.u8(0x00);
      w.buf.writeUInt32LE(w.pos - bodyStart, definitionAt + 20);
    } else {
      w.u32(definitionAt);
    }
    // The BinXml value: a flat fragment built at the chunk position it will occupy among the
    // values (the 9 descriptors and the 8 values before it), so its inline names point right.
    const sizesBefore = [2, 8, 8, 0, 2 * ports.length, 0, 4, 4];
    const nestedAt = w.pos + 4 + 4 * 9 + sizesBefore.reduce((a, b) => a + b, 0);
    const inner = new ChunkWriter();
    inner.pos = nestedAt;
    inner.u8(0x0f).u8(1).u8(1).u8(0).open('Data', false, true).attribute('Name').text('nested').u8(0x02).text('x').u8(0x04).u8(0x00);
    const nested = inner.buf.subarray(nestedAt, inner.pos);
    values(ports, flag, Buffer.from(nested));
  };
  record(1, () => writeInstance(true, [25, 587, 2525], 1));
  record(2, () => writeInstance(false, [], 0));
  const chunk = w.buf;
  chunk.write('ElfChnk\0', 0, 'latin1');
  chunk.writeBigUInt64LE(1n, 8);
  chunk.writeBigUInt64LE(2n, 16);
  chunk.writeBigUInt64LE(1n, 24);
  chunk.writeBigUInt64LE(2n, 32);
  chunk.writeUInt32LE(128, 40);
  chunk.writeUInt32LE(512, 44);
  chunk.writeUInt32LE(w.pos, 48);
  chunk.writeUInt32LE(crc32(chunk.subarray(512, w.pos)), 52);
  chunk.writeUInt32LE(crc32(chunk.subarray(128, 512), crc32(chunk.subarray(0, 120))), 124);
  const header = Buffer.alloc(4096);
  header.write('ElfFile\0', 0, 'latin1');
  header.writeUInt32LE(128, 32);
  header.writeUInt16LE(1, 36);
  header.writeUInt16LE(3, 38);
  header.writeUInt16LE(4096, 40);
  header.writeUInt16LE(1, 42);
  header.writeUInt32LE(crc32(header.subarray(0, 120)), 124);
  return Buffer.concat([header, chunk]);
}

test('arrays repeat, NULLs remove, Bool is 4 bytes, entities resolve, BinXml values recurse', async () => {
  const { decoded, issues } = await readBuffer(buildFile());
  assert.deepEqual(issues, []);
  assert.equal(decoded.length, 2);
  const [first, second] = decoded.map((d) => d.record);
  assert.equal(first.event_id, 4660);
  assert.equal(first.record_id, 5);
  assert.equal(isoFromNanos(first.time_created!, 7), '2019-11-04T13:46:01.1713393Z');
  assert.equal(first.provider, 'Test');
  assert.equal(first.user_sid, null);
  assert.deepEqual(first.data, [
    { name: 'ports', value: '25' },
    { name: 'ports', value: '587' },
    { name: 'ports', value: '2525' },
    { name: 'flag', value: 'true' },
    { name: 'after', value: '0xbeef' },
    { name: 'amp', value: 'a&bA' },
    { name: 'nested', value: 'x' },
  ]);
  // The second record reuses the template by offset; an empty array still yields one element.
  assert.deepEqual(second.data, [
    { name: 'ports', value: '' },
    { name: 'flag', value: 'false' },
    { name: 'after', value: '0xbeef' },
    { name: 'amp', value: 'a&bA' },
    { name: 'nested', value: 'x' },
  ]);
});

test('the same chunk rendered as Windows XML', async () => {
  const { decoded } = await readSource(bufferSource('constructs.evtx', buildFile()), { xml: true });
  assert.equal(
    decoded[0].xml,
    "<Event><System><Provider Name='Test'/><EventID>4660</EventID><TimeCreated SystemTime='2019-11-04T13:46:01.1713393Z'/>" +
      '<EventRecordID>5</EventRecordID><Channel>Ch</Channel><Security/></System><EventData>' +
      "<Data Name='ports'>25</Data><Data Name='ports'>587</Data><Data Name='ports'>2525</Data><Data Name='flag'>true</Data>" +
      "<Data Name='after'>0xbeef</Data><Data Name='amp'>a&amp;bA</Data><Data Name='nested'>x</Data></EventData></Event>",
  );
});
