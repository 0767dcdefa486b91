// BinXML sink that fills an EventRecord: System fields by element name, EventData <Data> items
// (with their Name attribute, null when unnamed) and <Binary>, and UserData leaf elements (named
// after the element), all in document order.
import type { EventDataValue, EventRecord } from '../../store/records.js';
import { binaryText } from '../eventlog/binary-text.js';
import { nanosFromIso } from '../../util/timezone.js';
import type { BinXmlSink } from './binxml-eval.js';

const SECTION_NONE = 0;
const SECTION_SYSTEM = 1;
const SECTION_EVENT_DATA = 2;
const SECTION_USER_DATA = 3;

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

  openElement(name: string): void {
    this.depth++;
    this.content = '';
    this.hadChild = false;
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

  text(value: string): void {
    this.content += value;
  }

  closeElement(name: string): void {
    const leaf = !this.hadChild;
    if (this.section === SECTION_SYSTEM && this.depth === 3) this.systemField(name, this.content);
    else if (this.section === SECTION_EVENT_DATA && this.depth === 3) this.eventDataItem(name, this.content);
    else if (this.section === SECTION_USER_DATA && this.depth >= 3 && leaf) this.push(name, this.content);
    if (this.depth === 2) this.section = SECTION_NONE;
    this.depth--;
    this.hadChild = true;
    this.content = '';
  }

  private push(name: string | null, value: string): void {
    const item: EventDataValue = { name, value };
    this.record.data.push(item);
  }

  private systemField(name: string, text: string): void {
    const r = this.record;
    switch (name) {
      case 'EventID':
        r.event_id = integer(text);
        break;
      case 'Version':
        r.version = integer(text);
        break;
      case 'Level':
        r.level = integer(text);
        break;
      case 'Task':
        r.task = integer(text);
        break;
      case 'Opcode':
        r.opcode = integer(text);
        break;
      case 'Keywords':
        r.keywords = HEX.test(text) ? BigInt(text) : null;
        break;
      case 'EventRecordID':
        r.record_id = integer(text);
        break;
      case 'Channel':
        r.channel = text;
        break;
      case 'Computer':
        r.computer = text;
        break;
    }
  }

  private eventDataItem(name: string, text: string): void {
    if (name === 'Data') {
      this.push(this.dataName, text);
    } else if (name === 'Binary') {
      const bytes = HEX_BYTES.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'latin1');
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
    this.hadChild = false;
    return record;
  }
}
