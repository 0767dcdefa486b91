// A seeded mix of classic Application-log events for the writer tests: ISA's SmtpEvt 20031 with
// `XEXCH50 <n>` binary data, Exchange and system sources, none to several strings (empty,
// multi-line, XML-special, non-ASCII, long), empty and absent binary data, with and without a user
// SID, on two hosts. No string list starts with an empty item and no item is exactly "\n": the two
// oracles render those wrongly (evtx-format.md section 13.3).

import type { ClassicEvent } from '../../fixtures/generate/writers/evtx.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CLASSIC = 0x80000000000000n;
const START_NS = 1_160_370_000_123_456_789n; // 2006-10-09T05:00:00.123456789Z

type Shape = Omit<ClassicEvent, 'recordId' | 'timeCreated' | 'computer' | 'channel'>;

const shapes: Array<(random: () => number, i: number) => Shape> = [
  (random) => ({
    provider: 'SmtpEvt', eventId: 20031, qualifiers: 49152, level: 2, task: 0, keywords: CLASSIC, userSid: null,
    data: ['192.168.10.25', 'mail.contoso.example'],
    binary: Buffer.from(`XEXCH50 ${random() < 0.5 ? 1020 : 900 + Math.floor(random() * 4000)}`, 'ascii'),
  }),
  () => ({
    provider: 'SmtpEvt', eventId: 20031, qualifiers: 49152, level: 2, task: 0, keywords: CLASSIC, userSid: null,
    data: ['10.0.0.7'], binary: Buffer.from('X-LINK2STATE', 'ascii'),
  }),
  (random, i) => ({
    provider: 'MSExchangeTransport', eventId: 4000 + Math.floor(random() * 10), qualifiers: 32768, level: 3, task: 12,
    keywords: CLASSIC, userSid: null,
    data: [`relay-${i}.fabrikam.example`, '', 'The connection was dropped by the remote host.', '0x800ccc0f', ''],
    binary: null,
  }),
  () => ({
    provider: 'Userenv', eventId: 1517, qualifiers: 32768, level: 3, task: 0, keywords: CLASSIC, userSid: 'S-1-5-18',
    data: ['NT AUTHORITY\\SYSTEM'], binary: null,
  }),
  (random) => ({
    provider: 'Application Popup', eventId: 26, qualifiers: 16384, level: 4, task: 0, keywords: CLASSIC,
    userSid: 'S-1-5-21-1004336348-1177238915-682003330-500',
    data: ['Message "<Qmgr>" & retry', 'line one\nline two', `Déjà vu € ${random().toFixed(6)}`],
    binary: Buffer.from([0, 1, 2, 0xfe, 0xff]),
  }),
  () => ({
    provider: 'Microsoft ISA Server Control', eventId: 14176, qualifiers: 49152, level: 1, task: 3, keywords: CLASSIC,
    userSid: null, data: ['x'.repeat(3000), 'tail'], binary: Buffer.alloc(2048, 0x5a),
  }),
  (random) => ({
    provider: 'VSS', eventId: 8224, qualifiers: 0, level: 4, task: 0, keywords: CLASSIC, userSid: null,
    data: [], binary: random() < 0.5 ? new Uint8Array(0) : Buffer.from('- Code: CORSVCC00000772', 'ascii'),
  }),
  () => ({
    provider: 'Security', eventId: 529, qualifiers: 0, level: 0, task: 2, keywords: 0x90000000000000n,
    userSid: 'S-1-5-18', data: ['administrator', 'ISA1', '3'], binary: null,
  }),
];

export function sampleEvents(count: number, seed: number): ClassicEvent[] {
  const random = mulberry32(seed);
  const events: ClassicEvent[] = [];
  let time = START_NS;
  for (let i = 0; i < count; i++) {
    time += BigInt(Math.floor(random() * 90_000_000_000)) + 17n; // keeps digits below 100 ns
    const shape = shapes[Math.floor(random() * shapes.length)](random, i);
    events.push({
      recordId: 1000 + i, timeCreated: time, channel: 'Application',
      computer: random() < 0.7 ? 'ISA1' : 'ISA2.corp.example', ...shape,
    });
  }
  return events;
}
