// Event Viewer XML exports: `wevtutil qe LOG /f:xml` (concatenated <Event> elements, no root) and
// Event Viewer "Save as XML" (<Events> root), one event or many. Parsed incrementally with saxes (a
// conformant streaming XML parser: entities, CDATA and well-formedness errors with positions come
// for free); each <Event> is mapped by the same EventRecordBuilder the EVTX reader uses, so both
// sources fill `events` identically. RenderingInfo/Message, where present, becomes `message`.
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type { EventRecord } from '../../store/records.js';
import type { ByteSource, ReadContext, Reader } from '../types.js';
import { EventRecordBuilder } from '../evtx/event-builder.js';
import { XmlTextStream, decodeHead } from './xml-text.js';

const EVENT_NAMESPACE = 'http://schemas.microsoft.com/win/2004/08/events/event';
/** Optional XML declaration, comments and whitespace, then the first element's name. */
const FIRST_ELEMENT = /^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<([A-Za-z_][\w.:-]*)[\s/>]/;

/** Bytes looked at to tell an <Events> document from a fragment (as much as sniff() sees). */
const HEAD_BYTES = 64 * 1024;
/** Bound on one event's text, so a file with a runaway element cannot exhaust memory. */
const MAX_EVENT_CHARS = 16 << 20;
/** XML errors outside any event (e.g. a file that is not XML after all) reported before going quiet. */
const MAX_REPORTED_ERRORS = 20;

export const eventXmlReader: Reader = {
  name: 'event-xml',
  version: '1',
  description: 'Windows event XML: wevtutil qe /f:xml output and Event Viewer "Save as XML" exports',
  growable: false,
  sniff: (head) => firstElement(head) !== null,
  read: readEventXml,
};

/** `Events` or `Event` when the head is event XML (the event schema namespace or <System> present). */
function firstElement(head: Buffer): 'Events' | 'Event' | null {
  const text = decodeHead(head);
  const name = FIRST_ELEMENT.exec(text)?.[1];
  if (name !== 'Events' && name !== 'Event') return null;
  return text.includes(EVENT_NAMESPACE) || text.includes('<System>') ? name : null;
}

async function* readEventXml(source: ByteSource, ctx: ReadContext): AsyncGenerator<EventRecord> {
  ctx.timeRule('UTC as exported (SystemTime)');
  const root = firstElement(await source.readAt(0, HEAD_BYTES));
  const text = await XmlTextStream.open(source);
  // wevtutil output has no root element: parse anything but an <Events> document as an XML fragment.
  const parser = new SaxesParser<{ xmlns: false; fragment: boolean; position: boolean }>({
    xmlns: false,
    fragment: root !== 'Events',
    position: true,
  });
  const ready: EventRecord[] = [];
  const state = new EventAssembler(ready);

  parser.on('opentagstart', (tag) => {
    if (state.depth === 0 && localName(tag.name) === 'Event') {
      // The tag's `<` lies just before its name; position is past the name and one more character.
      state.begin(text.byteOffset(Math.max(0, parser.position - tag.name.length - 2)));
    }
  });
  parser.on('opentag', (tag) => state.open(tag));
  parser.on('text', (t) => state.text(t));
  parser.on('cdata', (t) => state.text(t));
  parser.on('closetag', (tag) => {
    const problem = state.close(tag);
    if (problem) ctx.issue(problem);
  });
  let errorsOutsideEvents = 0;
  parser.on('error', (error) => {
    const offset = text.byteOffset(parser.position);
    // Inside an event the first error is kept and reported once, when the event is dropped.
    if (state.fail(`XML error at byte ${offset}: ${error.message}`)) return;
    errorsOutsideEvents++;
    if (errorsOutsideEvents <= MAX_REPORTED_ERRORS) {
      const more = errorsOutsideEvents === MAX_REPORTED_ERRORS ? ' (further XML errors outside events not reported)' : '';
      ctx.issue({ severity: 'warning', message: `XML error: ${error.message}${more}`, offset });
    }
  });

  try {
    for await (const chunk of text.texts()) {
      parser.write(chunk);
      yield* ready.splice(0);
    }
    parser.close();
  } catch (error) {
    // saxes may refuse to go on after some errors: everything complete so far was already yielded.
    ctx.issue({ severity: 'error', message: `XML parsing stopped: ${(error as Error).message}`, offset: text.byteOffset(parser.position) });
  }
  yield* ready.splice(0);
  if (state.depth > 0) {
    ctx.issue({ severity: 'warning', message: `event at offset ${state.offset} dropped: the file ends inside it`, offset: state.offset, rejected: true });
  }
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** Feeds one <Event> element at a time to an EventRecordBuilder; collects RenderingInfo/Message. */
class EventAssembler {
  /** Element depth inside the current <Event> (1 = Event itself); 0 outside events. */
  depth = 0;
  private builder = new EventRecordBuilder();
  /** Byte offset of the current event's `<`. */
  offset = 0;
  /** Why the current event cannot be trusted (first problem found), or null. */
  private damage: string | null = null;
  private chars = 0;
  /** Depth of the open RenderingInfo/Message path: 2 inside RenderingInfo, 3 inside its Message. */
  private renderingDepth = 0;
  private message: string | null = null;

  constructor(private readonly ready: EventRecord[]) {}

  begin(offset: number): void {
    this.offset = offset;
    this.damage = null;
    this.chars = 0;
    this.renderingDepth = 0;
    this.message = null;
  }

  open(tag: SaxesTagPlain): void {
    if (this.depth === 0 && localName(tag.name) !== 'Event') return;
    this.depth++;
    const name = localName(tag.name);
    if (this.depth === 2 && name === 'RenderingInfo') this.renderingDepth = 2;
    else if (this.depth === 3 && this.renderingDepth === 2 && name === 'Message') {
      this.renderingDepth = 3;
      this.message = '';
    }
    this.builder.openElement(name);
    const attributes = tag.attributes;
    for (const attribute in attributes) {
      if (attribute !== 'xmlns' && !attribute.startsWith('xmlns:')) this.builder.attribute(localName(attribute), attributes[attribute]);
    }
  }

  text(value: string): void {
    if (this.depth === 0) return;
    this.chars += value.length;
    if (this.chars > MAX_EVENT_CHARS) {
      this.damage ??= `more than ${MAX_EVENT_CHARS} characters of text`;
      return;
    }
    if (this.renderingDepth === 3 && this.depth === 3) this.message += value;
    this.builder.text(value);
  }

  /** Closes an element; at the end of an event queues its record, or returns why it was dropped. */
  close(tag: SaxesTagPlain): { severity: 'warning'; message: string; offset: number; rejected: true } | null {
    if (this.depth === 0) return null;
    const name = localName(tag.name);
    this.builder.closeElement(name);
    if (this.renderingDepth === 3 && this.depth === 3) this.renderingDepth = 2;
    else if (this.renderingDepth === 2 && this.depth === 2) this.renderingDepth = 0;
    this.depth--;
    if (this.depth > 0) return null;
    const record = this.builder.take();
    if (this.damage !== null) {
      return { severity: 'warning', message: `event at offset ${this.offset} dropped: ${this.damage}`, offset: this.offset, rejected: true };
    }
    record.message = this.message;
    record.source_offset = this.offset;
    this.ready.push(record);
    return null;
  }

  /** Records an XML error against the current event; false when no event is open. */
  fail(message: string): boolean {
    if (this.depth === 0) return false;
    this.damage ??= message;
    return true;
  }
}
