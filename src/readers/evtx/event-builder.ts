// BinXML sink that fills an EventRecord: System fields by element name, EventData <Data> items
// (with their Name attribute, null when unnamed) and <Binary>, and UserData leaf elements (named
// after the element), all in document order. System values that arrive typed (the usual case)
// are read directly from their bytes; text (flat records) is parsed.
import type { EventDataValue, EventRecord } from '../../store/records.js';
import { binaryText } from '../eventlog/binary-text.js';
import { nanosFromIso } from '../../util/timezone.js';
import type { BinXmlSink } from './binxml-eval.js';
import { VALUE_BINARY, VALUE_FILETIME, VALUE_HEXINT64, filetimeToNanos, integerValue, renderScalar } from './values.js';

const SECTION_NONE = 0;
const SECTION_SYSTEM = 1;
const SECTION_EVENT_DATA = 2;
const SECTION_USER_DATA = 3;

/** System attributes that become columns; others (Correlation, EventSourceName) are not rendered. */
const SYSTEM_ATTRIBUTES = new Set(['Name', 'Guid', 'Qualifiers', 'SystemTime', 'ProcessID', 'ThreadID', 'UserID']);

const DECIMAL = /^-?\d+$/;
const HEX = /^0x[0-9a-fA-F]+$/;
const HEX_BYTES = /^(?:[0-9a-fA-F]{2})*$/;

function integer(text: string): number | null {
  return DECIMAL.test(text) ? Number(text) : null;
}

/** EventRecord while it is being filled (the contract's row type is read-only). */
export type MutableEventRecord = { -readonly [K in keyof EventRecord]: EventRecord[K] };

export function emptyEventRecord(): MutableEventRecord {
  return {
    table: 'events',
    record_id: null,
    time_created: null,
    provider: null,
    provider_guid: null,
    event_id: null,
    qualifiers: null,
    version: null,
    level: null,
    task: null,
    opcode: null,
    keywords: null,
    channel: null,
    computer: null,
    user_sid: null,
    process_id: null,
    thread_id: null,
    message: null,
    binary: null,
    binary_text: null,
    recovered: false,
    source_offset: null,
    data: [],
  };
}

export class EventRecordBuilder implements BinXmlSink {
  private record = emptyEventRecord();
  private depth = 0;
  private section = SECTION_NONE;
  private content = '';
  /** Name attribute of the current EventData <Data>. */
  private dataName: string | null = null;
  /** Whether the element at the current depth has had a child element (UserData leaves have none). */
  private hadChild = false;
  /** Name of the element at depth 3 (a System field or an EventData item). */
  private current = '';
  // A System element whose content is one typed value, kept unrendered until the element closes.
  private rawBuf: Buffer | null = null;
  private rawOffset = 0;
  private rawSize = 0;
  private rawType = 0;

  openElement(name: string): void {
    this.depth++;
    this.content = '';
    this.rawBuf = null;
    this.hadChild = false;
    if (this.depth === 3) this.current = name;
    if (this.depth === 2) {
      this.section =
        name === 'System' ? SECTION_SYSTEM : name === 'EventData' ? SECTION_EVENT_DATA : name === 'UserData' ? SECTION_USER_DATA : SECTION_NONE;
    } else if (this.depth === 3 && this.section === SECTION_EVENT_DATA) {
      this.dataName = null;
    }
  }

  attribute(name: string, value: string): void {
    if (this.depth !== 3) return;
    if (this.section === SECTION_EVENT_DATA) {
      if (name === 'Name') this.dataName = value;
      return;
    }
    if (this.section !== SECTION_SYSTEM) return;
    const r = this.record;
    switch (name) {
      case 'Name':
        if (r.provider === null) r.provider = value;
        break;
      case 'Guid':
        if (r.provider_guid === null) r.provider_guid = value;
        break;
      case 'Qualifiers':
        r.qualifiers = integer(value);
        break;
      case 'SystemTime':
        r.time_created = nanosFromIso(value);
        break;
      case 'ProcessID':
        r.process_id = integer(value);
        break;
      case 'ThreadID':
        r.thread_id = integer(value);
        break;
      case 'UserID':
        r.user_sid = value;
        break;
    }
  }

  attributeValue(name: string, buf: Buffer, offset: number, size: number, type: number): void {
    if (this.depth !== 3) return;
    if (this.section === SECTION_EVENT_DATA) {
      if (name === 'Name') this.dataName = renderScalar(buf, offset, size, type);
      return;
    }
    if (this.section !== SECTION_SYSTEM || !SYSTEM_ATTRIBUTES.has(name)) return;
    const r = this.record;
    if (name === 'SystemTime' && type === VALUE_FILETIME && size === 8) {
      r.time_created = filetimeToNanos(buf.readBigUInt64LE(offset));
      return;
    }
    const number = integerValue(buf, offset, size, type);
    if (number !== null && name === 'ProcessID') r.process_id = number;
    else if (number !== null && name === 'ThreadID') r.thread_id = number;
    else if (number !== null && name === 'Qualifiers') r.qualifiers = number;
    else this.attribute(name, renderScalar(buf, offset, size, type));
  }

  text(value: string): void {
    if (this.rawBuf !== null) this.renderRaw();
    this.content += value;
  }

  value(buf: Buffer, offset: number, size: number, type: number): void {
    if (this.section === SECTION_SYSTEM && this.depth === 3 && this.content === '' && this.rawBuf === null) {
      this.rawBuf = buf;
      this.rawOffset = offset;
      this.rawSize = size;
      this.rawType = type;
      return;
    }
    if (this.section === SECTION_EVENT_DATA && this.depth === 3 && type === VALUE_BINARY && this.current === 'Binary') {
      this.record.binary = Buffer.from(buf.subarray(offset, offset + size));
      return;
    }
    if (this.rawBuf !== null) this.renderRaw();
    this.content += renderScalar(buf, offset, size, type);
  }

  private renderRaw(): void {
    this.content += renderScalar(this.rawBuf!, this.rawOffset, this.rawSize, this.rawType);
    this.rawBuf = null;
  }

  closeElement(name: string): void {
    const leaf = !this.hadChild;
    if (this.section === SECTION_SYSTEM && this.depth === 3) this.systemField(name);
    else if (this.section === SECTION_EVENT_DATA && this.depth === 3) this.eventDataItem(name, this.content);
    else if (this.section === SECTION_USER_DATA && this.depth >= 3 && leaf) this.push(name, this.content);
    if (this.depth === 2) this.section = SECTION_NONE;
    this.depth--;
    this.hadChild = true;
    this.content = '';
    this.rawBuf = null;
  }

  private push(name: string | null, value: string): void {
    const item: EventDataValue = { name, value };
    this.record.data.push(item);
  }

  /** Integer content of the current System element: typed when possible, else parsed from text. */
  private systemInteger(): number | null {
    if (this.rawBuf !== null) {
      const number = integerValue(this.rawBuf, this.rawOffset, this.rawSize, this.rawType);
      if (number !== null) return number;
      this.renderRaw();
    }
    return integer(this.content);
  }

  private systemText(): string {
    if (this.rawBuf !== null) this.renderRaw();
    return this.content;
  }

  private systemField(name: string): void {
    const r = this.record;
    switch (name) {
      case 'EventID':
        r.event_id = this.systemInteger();
        break;
      case 'Version':
        r.version = this.systemInteger();
        break;
      case 'Level':
        r.level = this.systemInteger();
        break;
      case 'Task':
        r.task = this.systemInteger();
        break;
      case 'Opcode':
        r.opcode = this.systemInteger();
        break;
      case 'EventRecordID':
        r.record_id = this.systemInteger();
        break;
      case 'Keywords': {
        if (this.rawBuf !== null && this.rawSize === 8 && (this.rawType === VALUE_HEXINT64 || this.rawType === 0x0a)) {
          r.keywords = this.rawBuf.readBigUInt64LE(this.rawOffset);
          break;
        }
        const text = this.systemText();
        r.keywords = HEX.test(text) ? BigInt(text) : DECIMAL.test(text) ? BigInt.asUintN(64, BigInt(text)) : null;
        break;
      }
      case 'Channel':
        r.channel = this.systemText();
        break;
      case 'Computer':
        r.computer = this.systemText();
        break;
    }
  }

  private eventDataItem(name: string, text: string): void {
    if (name === 'Data') {
      this.push(this.dataName, text);
    } else if (name === 'Binary') {
      // Typed Binary values were kept as bytes in value(); literal text (flat records) is hex.
      const bytes = this.record.binary ?? (HEX_BYTES.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'latin1'));
      this.record.binary = bytes;
      this.record.binary_text = binaryText(bytes);
    }
  }

  /** The finished record; the builder starts over for the next one. */
  take(): MutableEventRecord {
    const record = this.record;
    this.record = emptyEventRecord();
    this.depth = 0;
    this.section = SECTION_NONE;
    this.content = '';
    this.rawBuf = null;
    this.hadChild = false;
    return record;
  }
}
