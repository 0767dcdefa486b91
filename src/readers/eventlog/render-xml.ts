// Event XML as Windows' own export writes it (wevtutil / Event Viewer "Save as XML"): one line per
// <Event>, single-quoted attributes, no indentation, line breaks inside values kept as they are, times with 7 fractional digits,
// Keywords as unpadded hex, Binary as upper-case hex (evtx-format.md section 12).
import type { EventRecord } from '../../store/records.js';
import { isoFromNanos } from '../../util/timezone.js';

export const EVENT_NAMESPACE = 'http://schemas.microsoft.com/win/2004/08/events/event';
export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8" standalone="yes"?>';

const TEXT_SPECIAL = /[&<>]/;
const ATTRIBUTE_SPECIAL = /[&<>'\r\n\t]/;

export function escapeText(text: string): string {
  if (!TEXT_SPECIAL.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttribute(text: string): string {
  if (!ATTRIBUTE_SPECIAL.test(text)) return text;
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

/** `0x80000000000000`: Windows writes Keywords without padding. */
export function keywordsText(keywords: bigint): string {
  return `0x${keywords.toString(16)}`;
}

function leaf(name: string, value: string | number | null): string {
  return value === null ? '' : `<${name}>${escapeText(String(value))}</${name}>`;
}

function attr(name: string, value: string | number | null): string {
  return value === null ? '' : ` ${name}='${escapeAttribute(String(value))}'`;
}

/**
 * One <Event> from the columns of an events row. Used for sources that have no BinXML to render
 * (legacy .evt, Event Viewer exports): elements whose value is null are left out.
 */
export function renderEventRecordXml(record: EventRecord): string {
  const system =
    `<Provider${attr('Name', record.provider)}${attr('Guid', record.provider_guid)}/>` +
    `<EventID${attr('Qualifiers', record.qualifiers)}>${record.event_id ?? ''}</EventID>` +
    leaf('Version', record.version) +
    leaf('Level', record.level) +
    leaf('Task', record.task) +
    leaf('Opcode', record.opcode) +
    leaf('Keywords', record.keywords === null ? null : keywordsText(record.keywords)) +
    (record.time_created === null ? '' : `<TimeCreated SystemTime='${isoFromNanos(record.time_created, 7)}'/>`) +
    leaf('EventRecordID', record.record_id) +
    '<Correlation/>' +
    (record.process_id === null && record.thread_id === null
      ? ''
      : `<Execution${attr('ProcessID', record.process_id)}${attr('ThreadID', record.thread_id)}/>`) +
    leaf('Channel', record.channel) +
    leaf('Computer', record.computer) +
    `<Security${attr('UserID', record.user_sid)}/>`;
  let data = '';
  for (const item of record.data) data += `<Data${attr('Name', item.name)}>${escapeText(item.value)}</Data>`;
  if (record.binary !== null) data += `<Binary>${Buffer.from(record.binary).toString('hex').toUpperCase()}</Binary>`;
  return `<Event xmlns='${EVENT_NAMESPACE}'><System>${system}</System><EventData>${data}</EventData></Event>`;
}
