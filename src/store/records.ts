// The data tables, declared once: the DDL and the TypeScript record types are both derived from
// these column lists, so a column cannot exist in one and not the other. Every data table also gets
// `file_id` (the ingest ledger row) and `seq` (record number within that ingest) from the store.
//
// Conventions for record values: every column may be null; timestamps are bigint nanoseconds since
// the Unix epoch in UTC (TIMESTAMP columns keep microseconds, TIMESTAMP_NS keep nanoseconds).

export type ColumnType =
  | 'VARCHAR'
  | 'INTEGER'
  | 'BIGINT'
  | 'UBIGINT'
  | 'DOUBLE'
  | 'BOOLEAN'
  | 'TIMESTAMP'
  | 'TIMESTAMP_NS'
  | 'BLOB'
  /** JSON text (a VARCHAR column); the record holds the value, the loader serialises it. */
  | 'JSON';

type JsValueOf<T extends ColumnType> = T extends 'VARCHAR'
  ? string
  : T extends 'INTEGER' | 'BIGINT' | 'DOUBLE'
    ? number
    : T extends 'UBIGINT' | 'TIMESTAMP' | 'TIMESTAMP_NS'
      ? bigint
      : T extends 'BOOLEAN'
        ? boolean
        : T extends 'BLOB'
          ? Uint8Array
          : unknown;

export type Columns = Readonly<Record<string, ColumnType>>;
type RowOf<C extends Columns> = { -readonly [K in keyof C]: JsValueOf<C[K]> | null };

export interface ChildTableDef {
  /** Child table name; rows carry the parent's file_id and seq plus an `ordinal`. */
  readonly table: string;
  /** Property of the parent record holding the array of child rows. */
  readonly field: string;
  readonly columns: Columns;
}

export interface TableDef {
  readonly name: string;
  readonly description: string;
  readonly columns: Columns;
  /** Name of the TIMESTAMP column used for ledger first/last time and `--since/--until`. */
  readonly timeColumn: string;
  readonly children?: readonly ChildTableDef[];
}

const eventColumns = {
  record_id: 'BIGINT',
  time_created: 'TIMESTAMP_NS',
  provider: 'VARCHAR',
  provider_guid: 'VARCHAR',
  event_id: 'INTEGER',
  qualifiers: 'INTEGER',
  version: 'INTEGER',
  level: 'INTEGER',
  task: 'INTEGER',
  opcode: 'INTEGER',
  keywords: 'UBIGINT',
  channel: 'VARCHAR',
  computer: 'VARCHAR',
  user_sid: 'VARCHAR',
  process_id: 'BIGINT',
  thread_id: 'BIGINT',
  /** Rendered description, only where the source carries one (Event Viewer CSV/TXT exports). */
  message: 'VARCHAR',
  /**
   * EventData/UserData values in document order, as a JSON array of {name, value}: one value per
   * record loads several times faster than a row per value. The view `event_data` unnests it.
   */
  data: 'JSON',
  binary: 'BLOB',
  /** `binary` decoded as text when it is printable ASCII or UTF-16LE, e.g. `XEXCH50 1020`. */
  binary_text: 'VARCHAR',
  recovered: 'BOOLEAN',
  /** Byte offset of the record in its file (line number for text exports). */
  source_offset: 'BIGINT',
} as const satisfies Columns;

/** The shape of one item of events.data, and the columns of the `event_data` view. */
export const eventDataColumns = { name: 'VARCHAR', value: 'VARCHAR' } as const satisfies Columns;

const trackingColumns = {
  time: 'TIMESTAMP',
  server: 'VARCHAR',
  /** e.g. `6.5.7638.1` (2003 header) or `14.0.0.0` (MSGTRK #Version). */
  format_version: 'VARCHAR',
  /** Event id (2000/2003, as text) or event name (2007+) exactly as logged. */
  raw_event: 'VARCHAR',
  /** Normalised kind from src/knowledge: submitted, queued-remote, transfer-begin, sent, defer, ndr, dsn, delivered, failed, received, other. */
  event_kind: 'VARCHAR',
  message_id: 'VARCHAR',
  internal_id: 'VARCHAR',
  sender: 'VARCHAR',
  recipient: 'VARCHAR',
  recipient_domain: 'VARCHAR',
  /** Partner / remote host (2003 Partner-Name, 2007+ server-hostname of the next hop). */
  partner: 'VARCHAR',
  client_ip: 'VARCHAR',
  server_ip: 'VARCHAR',
  /** Recipient-Report-Status / recipient-status as logged. */
  recipient_status: 'VARCHAR',
  /** Enhanced status code found in the status, e.g. `5.4.0`. */
  dsn_code: 'VARCHAR',
  size_bytes: 'BIGINT',
  recipient_count: 'INTEGER',
  subject: 'VARCHAR',
  /** 2007+ `source` (SMTP, STOREDRIVER, ...), 2003 service-Version. */
  source: 'VARCHAR',
  connector: 'VARCHAR',
  /** 2007+ `source-context`: for SMTP rows the protocol-log session-id (join key to smtp_lines.session_key). */
  source_context: 'VARCHAR',
  line_no: 'BIGINT',
} as const satisfies Columns;

const smtpLineColumns = {
  time: 'TIMESTAMP',
  server: 'VARCHAR',
  /** `inbound` or `outbound`. */
  direction: 'VARCHAR',
  /** 2007+: session-id; IIS: derived by the reader (see its module comment). */
  session_key: 'VARCHAR',
  sequence: 'INTEGER',
  local_endpoint: 'VARCHAR',
  remote_endpoint: 'VARCHAR',
  remote_ip: 'VARCHAR',
  /** Remote host name when logged (IIS cs-host / c-host), else null. */
  remote_host: 'VARCHAR',
  /** 2007+ event (`+`,`-`,`>`,`<`,`*`); IIS cs-method or the Outbound* marker. */
  event: 'VARCHAR',
  /** SMTP verb (`EHLO`, `MAIL`, `RCPT`, `XEXCH50`, ...), upper-case, or null for replies. */
  verb: 'VARCHAR',
  argument: 'VARCHAR',
  reply_code: 'INTEGER',
  reply_text: 'VARCHAR',
  bytes: 'BIGINT',
  line_no: 'BIGINT',
} as const satisfies Columns;

const smtpSessionColumns = {
  session_key: 'VARCHAR',
  server: 'VARCHAR',
  direction: 'VARCHAR',
  start_time: 'TIMESTAMP',
  end_time: 'TIMESTAMP',
  local_endpoint: 'VARCHAR',
  remote_ip: 'VARCHAR',
  /** Host name from the banner (outbound) or EHLO/HELO argument (inbound). */
  remote_host: 'VARCHAR',
  /** Reply code of the banner / connect, null if none was logged. */
  banner_code: 'INTEGER',
  /** `EHLO` or `HELO`: the greeting that succeeded (HELO after a refused EHLO = fallback). */
  greeting: 'VARCHAR',
  ehlo_refused: 'BOOLEAN',
  /** Verbs masked as `xxxx` answered 500: an SMTP-inspecting firewall in the path. */
  masked_verbs: 'BOOLEAN',
  xexch50_advertised: 'BOOLEAN',
  xexch50_sent: 'BOOLEAN',
  xexch50_bytes: 'BIGINT',
  xexch50_reply_code: 'INTEGER',
  xexch50_reply_text: 'VARCHAR',
  /** accepted | refused-504 | refused | dropped-after-354 | dropped | null when not sent. */
  xexch50_outcome: 'VARCHAR',
  mail_from: 'VARCHAR',
  recipients_accepted: 'INTEGER',
  recipients_rejected: 'INTEGER',
  /** Lower-case recipient domains, comma-separated, in order of first appearance. */
  recipient_domains: 'VARCHAR',
  messages_accepted: 'INTEGER',
  /** completed | quit | dropped-after-xexch50 | dropped | refused | timeout. */
  end_reason: 'VARCHAR',
  line_count: 'INTEGER',
  first_line_no: 'BIGINT',
} as const satisfies Columns;

const smtpSessionRecipientColumns = {
  recipient: 'VARCHAR',
  domain: 'VARCHAR',
  reply_code: 'INTEGER',
  reply_text: 'VARCHAR',
} as const satisfies Columns;

const queueSnapshotColumns = {
  snapshot_time: 'TIMESTAMP',
  server: 'VARCHAR',
  queue_name: 'VARCHAR',
  link_name: 'VARCHAR',
  next_hop_domain: 'VARCHAR',
  /** Active, Ready, Retry, Suspended, ... as exported. */
  state: 'VARCHAR',
  message_count: 'BIGINT',
  size_bytes: 'BIGINT',
  oldest_message_time: 'TIMESTAMP',
  next_retry_time: 'TIMESTAMP',
  last_error: 'VARCHAR',
  line_no: 'BIGINT',
} as const satisfies Columns;

const queueMessageColumns = {
  snapshot_time: 'TIMESTAMP',
  server: 'VARCHAR',
  queue_name: 'VARCHAR',
  next_hop_domain: 'VARCHAR',
  message_id: 'VARCHAR',
  sender: 'VARCHAR',
  recipients: 'VARCHAR',
  subject: 'VARCHAR',
  status: 'VARCHAR',
  size_bytes: 'BIGINT',
  received_time: 'TIMESTAMP',
  expiration_time: 'TIMESTAMP',
  retry_count: 'INTEGER',
  last_error: 'VARCHAR',
  line_no: 'BIGINT',
} as const satisfies Columns;

const firewallColumns = {
  time: 'TIMESTAMP',
  isa_host: 'VARCHAR',
  /** fws | packet-filter | web-proxy | firewall | smtp-screener */
  log_kind: 'VARCHAR',
  protocol: 'VARCHAR',
  source_ip: 'VARCHAR',
  source_port: 'INTEGER',
  dest_ip: 'VARCHAR',
  dest_port: 'INTEGER',
  /** Normalised action name (src/knowledge), raw value in action_raw. */
  action: 'VARCHAR',
  action_raw: 'VARCHAR',
  /** Result / status code as logged (hex for ISA 2004+), meaning from the knowledge table. */
  result_code: 'VARCHAR',
  result_meaning: 'VARCHAR',
  rule: 'VARCHAR',
  application_protocol: 'VARCHAR',
  bytes_sent: 'BIGINT',
  bytes_received: 'BIGINT',
  source_name: 'VARCHAR',
  dest_name: 'VARCHAR',
  username: 'VARCHAR',
  /** Screener log: sender / recipient / other detail. */
  smtp_sender: 'VARCHAR',
  smtp_recipient: 'VARCHAR',
  detail: 'VARCHAR',
  line_no: 'BIGINT',
} as const satisfies Columns;

export const TABLES = [
  {
    name: 'events',
    description: 'Windows event-log records (EVTX, EVT, Event Viewer exports)',
    columns: eventColumns,
    timeColumn: 'time_created',
  },
  { name: 'tracking', description: 'Exchange message-tracking rows', columns: trackingColumns, timeColumn: 'time' },
  { name: 'smtp_lines', description: 'SMTP protocol-log lines', columns: smtpLineColumns, timeColumn: 'time' },
  {
    name: 'smtp_sessions',
    description: 'SMTP sessions derived from protocol logs',
    columns: smtpSessionColumns,
    timeColumn: 'start_time',
    children: [{ table: 'smtp_session_recipients', field: 'recipients', columns: smtpSessionRecipientColumns }],
  },
  { name: 'queue_snapshots', description: 'Queue exports (links/queues)', columns: queueSnapshotColumns, timeColumn: 'snapshot_time' },
  { name: 'queue_messages', description: 'Queue exports (messages)', columns: queueMessageColumns, timeColumn: 'snapshot_time' },
  { name: 'firewall_log', description: 'ISA Server / TMG firewall logs', columns: firewallColumns, timeColumn: 'time' },
] as const satisfies readonly TableDef[];

export type TableName = (typeof TABLES)[number]['name'];

export type EventDataValue = RowOf<typeof eventDataColumns> & { value: string };
export type EventRecord = { table: 'events' } & Omit<RowOf<typeof eventColumns>, 'data'> & { data: EventDataValue[] };
export type TrackingRecord = { table: 'tracking' } & RowOf<typeof trackingColumns>;
export type SmtpLineRecord = { table: 'smtp_lines' } & RowOf<typeof smtpLineColumns>;
export type SmtpSessionRecipient = RowOf<typeof smtpSessionRecipientColumns>;
export type SmtpSessionRecord = { table: 'smtp_sessions' } & RowOf<typeof smtpSessionColumns> & {
  recipients: SmtpSessionRecipient[];
};
export type QueueSnapshotRecord = { table: 'queue_snapshots' } & RowOf<typeof queueSnapshotColumns>;
export type QueueMessageRecord = { table: 'queue_messages' } & RowOf<typeof queueMessageColumns>;
export type FirewallLogRecord = { table: 'firewall_log' } & RowOf<typeof firewallColumns>;

export type StoredRecord =
  | EventRecord
  | TrackingRecord
  | SmtpLineRecord
  | SmtpSessionRecord
  | QueueSnapshotRecord
  | QueueMessageRecord
  | FirewallLogRecord;
