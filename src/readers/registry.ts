// Every format reader, in detection order: the first whose sniff() accepts a file's first bytes wins,
// so more specific formats come before looser ones.
import type { Reader } from './types.js';
import { evtxReader } from './evtx/reader.js';
import { evtReader } from './evt/reader.js';
import { eventXmlReader } from './eventexport/xml-reader.js';
import { eventCsvReader, eventTxtReader } from './eventexport/text-export-reader.js';
import { exchange2003TrackingReader } from './tracking2003/reader.js';
import { msgtrkReader } from './msgtrk/reader.js';
import { smtp2007Reader } from './smtp2007/reader.js';
import { queueExportReader } from './queue/reader.js';
import { iisSmtpW3cReader } from './iis-smtp/w3c.js';
import { iisSmtpNcsaReader } from './iis-smtp/ncsa.js';
import { iisSmtpIisFormatReader } from './iis-smtp/iis-format.js';
import { isaW3cReader } from './isa/w3c.js';
import { isaFormatReader } from './isa/isa-format.js';

export const READERS: readonly Reader[] = [
  evtxReader,
  evtReader,
  eventXmlReader,
  eventCsvReader,
  eventTxtReader,
  exchange2003TrackingReader,
  msgtrkReader,
  smtp2007Reader,
  iisSmtpW3cReader,
  iisSmtpNcsaReader,
  iisSmtpIisFormatReader,
  isaW3cReader,
  isaFormatReader,
  queueExportReader,
];

/** Bytes given to sniff(): enough for any header block we know. */
export const SNIFF_BYTES = 64 * 1024;

/** The first reader (of `readers`, default all) whose sniff() accepts these first bytes. */
export function detectReader(head: Buffer, readers: readonly Reader[] = READERS): Reader | undefined {
  return readers.find((r) => r.sniff(head));
}
