// Loads iis-smtp-iis-format.json: the field order, date order and time basis of the IIS log format
// as written by the SMTP service (unconfirmed for SMTP, so kept as correctable data).
import { readFileSync } from 'node:fs';

export interface IisFormatTable {
  /** W3C names of the fixed fields, in file order. */
  fields: string[];
  dateOrder: 'MDY' | 'DMY';
  timeBasis: 'local' | 'utc';
}

export const iisFormat = JSON.parse(readFileSync(new URL('./iis-smtp-iis-format.json', import.meta.url), 'utf8')) as IisFormatTable;
