// How classic (ReportEvent) event types map onto the EVTX System fields, and which log a legacy .evt
// file holds. Data, not logic: the marks say how sure each entry is, so a wrong one can be corrected here.

/** EVENTLOGRECORD.EventType values (winnt.h) — documented. */
export const EVENT_TYPE = {
  success: 0x0000,
  error: 0x0001,
  warning: 0x0002,
  information: 0x0004,
  auditSuccess: 0x0008,
  auditFailure: 0x0010,
} as const;

/** The EVTX "Classic" keyword every ReportEvent record carries — observed on 10,606 records. */
export const CLASSIC_KEYWORD = 0x80000000000000n;

interface EventTypeMapping {
  /** Level Windows gives the event in EVTX. */
  level: number;
  /** Keywords Windows gives it (Classic, plus the audit bit for audits). */
  keywords: bigint;
  /** Name in Event Viewer's Type column (English UI). */
  typeName: string;
}

/**
 * Error 2, Warning 3, Information 4 and audits 0 with the audit keyword are observed in Windows' own
 * renderings (win11 *.windows.xml, evtx-format.md 11.1); type 0 (EVENTLOG_SUCCESS) → Level 0 is
 * inferred from two classic SPP events rendered with Level 0 and no audit bit.
 */
export const EVENT_TYPES: ReadonlyMap<number, EventTypeMapping> = new Map([
  [EVENT_TYPE.success, { level: 0, keywords: CLASSIC_KEYWORD, typeName: 'Success' }],
  [EVENT_TYPE.error, { level: 2, keywords: CLASSIC_KEYWORD, typeName: 'Error' }],
  [EVENT_TYPE.warning, { level: 3, keywords: CLASSIC_KEYWORD, typeName: 'Warning' }],
  [EVENT_TYPE.information, { level: 4, keywords: CLASSIC_KEYWORD, typeName: 'Information' }],
  [EVENT_TYPE.auditSuccess, { level: 0, keywords: CLASSIC_KEYWORD | 0x20000000000000n, typeName: 'Success Audit' }],
  [EVENT_TYPE.auditFailure, { level: 0, keywords: CLASSIC_KEYWORD | 0x10000000000000n, typeName: 'Failure Audit' }],
]);

/** Looks up Event Viewer's Type column text (case-insensitive). */
export function eventTypeByName(name: string): EventTypeMapping | undefined {
  const wanted = name.trim().toLowerCase();
  for (const mapping of EVENT_TYPES.values()) if (mapping.typeName.toLowerCase() === wanted) return mapping;
  return undefined;
}

/**
 * Words in a .evt file name that tell which log (channel) it holds: the default file names of the
 * Windows 2000/XP/2003 logs (%SystemRoot%\system32\config; AppEvent/SecEvent/SysEvent documented, the
 * others unconfirmed) and the log names themselves, as in a saved `Application.evt` (inferred).
 */
export const EVT_FILE_CHANNELS: ReadonlyMap<string, string> = new Map([
  ['appevent', 'Application'],
  ['secevent', 'Security'],
  ['sysevent', 'System'],
  ['application', 'Application'],
  ['security', 'Security'],
  ['system', 'System'],
  ['dnsevent', 'DNS Server'],
  ['ntfrs', 'File Replication Service'],
  ['ntds', 'Directory Service'],
]);
