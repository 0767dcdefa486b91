// Derived tables: the per-message, per-session and per-event work of the diagnosis and the reports,
// done once when data arrives instead of on every query. Each is defined by one SELECT over the
// data tables (or earlier derived tables). A file's ingest transaction only notes the file in
// `derived_pending`; `refreshDerived` then takes every pending file in at once, in a transaction
// of its own (a kill between the two leaves the file pending, never half taken in):
//   - per file: rows that come from one file only (a session and its lines, an event) are inserted
//     from the pending files;
//   - per key: rows that combine several files (a message's tracking rows, an event's candidate
//     attempts) are deleted and recomputed, for the keys the pending files touched, from all rows
//     of those keys: a semi-join on the touched keys keeps the cost proportional to the new files.
// When every stored file is pending (a first ingest) everything is rebuilt instead, which is cheaper.
// Taking files in per ingest run rather than per file keeps the per-statement cost off each of a
// folder's many small files and keeps a big file's derived work out of its load transaction.
// `rebuildDerived` recomputes everything (after a migration, a retention delete, a bulk copy); a
// changed definition (e.g. an edited rules file) is noticed by its digest and rebuilt the same way.
// Over a Parquet lake the same SELECTs become views.
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { withSettings } from '../../store/settings.js';
import { EVERYTHING, ofFiles, type Scope } from './sql-text.js';
import { MAIL_PAIRS_IN, domainMonthKey, inboundSenderSessionsSelect, mailDomainMonthsSelect, mailPairsSelect, mailSenderMonthsSelect, messageKey, senderMonthKey } from './mail.js';
import { SESSION_MACROS, outboundSessionsSelect, xexch50AttemptsSelect } from './sessions.js';
import { PRECOMPUTED_SKEW_SECONDS, candidateBinKey, candidateBinsSelect, candidateBoundMs, candidatesSelect, eventKey, firewallSmtpRowsSelect, smtpFilterCountsSelect, smtpFilterEventsSelect, XEXCH50_EVENTS } from './firewall.js';
import { fileSpansSelect } from './spans.js';
import { queueStatsSelect } from './queue-stats.js';
import { recipientRepliesSelect, sessionAddressesSelect, sessionStatsSelect } from './session-stats.js';
import { REPORT_TABLES } from './report-tables.js';
import { touchedKeys, touchedKeysOf, type DerivedTable, type KeyedDerivedTable } from './table.js';

const candidateBound = candidateBoundMs(PRECOMPUTED_SKEW_SECONDS);

/** Sums of mail pairs per month: the months of the pairs of the messages new files touched. */
function mailMonths(name: string, keyOf: (alias: string) => string, select: (scope: Scope) => string): KeyedDerivedTable {
  return {
    name,
    refresh: 'key',
    key: 'month_key',
    keyOf,
    touched: () => `SELECT DISTINCT ${keyOf('p')} AS key FROM mail_pairs p WHERE p.message_key IN (SELECT key FROM ${touchedKeysOf('mail_pairs')})`,
    keysMove: true,
    select,
  };
}

/** The candidates of the events new files bring, and of the events near the attempts they bring. */
const candidates: KeyedDerivedTable = {
  name: 'xexch50_candidates',
  refresh: 'key',
  key: 'event_key',
  keyOf: eventKey,
  touched: (files) => `SELECT ${eventKey('e')} AS key FROM smtp_filter_events e WHERE ${files('e')} AND ${XEXCH50_EVENTS}
    UNION SELECT event_key FROM (${candidatesSelect(EVERYTHING, files, candidateBound)})`,
  select: (scope) => candidatesSelect(scope, EVERYTHING, candidateBound),
};

/** In dependency order: a table may read the ones before it. */
export const DERIVED_TABLES: readonly DerivedTable[] = [
  // Which files hold a message's rows: a message new files touched is recomputed from those only.
  { name: 'tracking_message_files', refresh: 'file', select: (scope) => `SELECT DISTINCT ${messageKey('t')} AS message_key, file_id FROM tracking t WHERE ${scope('t')}` },
  {
    name: 'mail_pairs',
    refresh: 'key',
    key: 'message_key',
    keyOf: messageKey,
    touched: (files) => `SELECT DISTINCT message_key AS key FROM tracking_message_files f WHERE ${files('f')}`,
    narrow: (t) => `${t}.file_id IN (SELECT file_id FROM tracking_message_files WHERE message_key IN (SELECT key FROM ${touchedKeysOf('mail_pairs')}))`,
    select: mailPairsSelect,
  },
  mailMonths('mail_domain_months', domainMonthKey, (scope) => mailDomainMonthsSelect('mail_pairs', scope)),
  mailMonths('mail_sender_months', senderMonthKey, mailSenderMonthsSelect),
  { name: 'inbound_sender_sessions', refresh: 'file', select: inboundSenderSessionsSelect },
  { name: 'outbound_sessions', refresh: 'file', select: outboundSessionsSelect },
  { name: 'xexch50_attempts', refresh: 'file', select: xexch50AttemptsSelect },
  { name: 'smtp_filter_events', refresh: 'file', select: smtpFilterEventsSelect },
  { name: 'smtp_filter_counts', refresh: 'file', select: smtpFilterCountsSelect },
  { name: 'firewall_smtp_rows', refresh: 'file', select: firewallSmtpRowsSelect },
  candidates,
  {
    name: 'xexch50_candidate_bins',
    refresh: 'key',
    key: 'bin_key',
    keyOf: candidateBinKey,
    touched: () => `SELECT DISTINCT ${candidateBinKey('c')} AS key FROM xexch50_candidates c
      WHERE c.event_key IN (SELECT key FROM ${touchedKeysOf('xexch50_candidates')})`,
    keysMove: true,
    select: (scope) => candidateBinsSelect('xexch50_candidates', scope),
  },
  { name: 'file_spans', refresh: 'file', select: fileSpansSelect },
  { name: 'queue_stats', refresh: 'file', select: queueStatsSelect },
  { name: 'session_domain_stats', refresh: 'file', select: (scope) => sessionStatsSelect('outbound_sessions', scope) },
  { name: 'session_addresses', refresh: 'file', select: (scope) => sessionAddressesSelect('outbound_sessions', scope) },
  { name: 'session_recipient_replies', refresh: 'file', select: (scope) => recipientRepliesSelect(scope, scope) },
  ...REPORT_TABLES,
];

/**
 * A table of sums as it stands for the window [since, until): the stored sums without a window,
 * else `select` computed now; it gets the condition "a window is given" and the window test of a column.
 */
function sumsIn(name: string, select: (windowed: string, within: (column: string) => string) => string): string {
  const windowed = '(since IS NOT NULL OR until IS NOT NULL)';
  const within = (column: string) => `(since IS NULL OR ${column} >= since) AND (until IS NULL OR ${column} < until)`;
  return `CREATE OR REPLACE MACRO ${name}_in(since, until) AS TABLE
    SELECT * FROM ${name} WHERE NOT ${windowed}
    UNION ALL BY NAME
    SELECT * FROM (${select(windowed, within)})`;
}

/** Table macros giving the derived rows of a time window (`since`/`until` may be NULL), for the reports. */
export const DERIVED_MACROS: readonly string[] = [
  MAIL_PAIRS_IN,
  ...SESSION_MACROS,
  sumsIn('mail_domain_months', (windowed) => mailDomainMonthsSelect('mail_pairs_in(since, until)', () => windowed)),
  sumsIn('session_domain_stats', (windowed, within) => sessionStatsSelect('outbound_sessions', (s) => `${windowed} AND ${within(`${s}.start_time`)}`)),
  sumsIn('queue_stats', (windowed, within) => queueStatsSelect((q) => `${windowed} AND ${within(`${q}.snapshot_time`)}`)),
  sumsIn('xexch50_candidate_bins', (windowed, within) =>
    candidateBinsSelect(`(SELECT * FROM xexch50_candidates c WHERE ${windowed} AND ${within('c.time_created')} AND ${within('c.attempt_start')})`, EVERYTHING),
  ),
];

const DEFINITION_DIGEST = createHash('sha256')
  .update(JSON.stringify([DERIVED_TABLES.map((t) => [t.name, t.select(EVERYTHING)]), DERIVED_MACROS]))
  .digest('hex');

const STATE_TABLE = 'derived_state';
const PENDING_TABLE = 'derived_pending';
const CREATE_PENDING = `CREATE TABLE ${PENDING_TABLE} (file_id BIGINT NOT NULL)`;

/** Migration 5: stores built before files were taken in per run get the (empty) pending list. */
export const CREATE_PENDING_IF_MISSING = CREATE_PENDING.replace('CREATE TABLE', 'CREATE TABLE IF NOT EXISTS');

/** Every table the derived layer keeps in the store (not data: never exported, rebuilt at will). */
export const DERIVED_TABLE_NAMES: readonly string[] = [...DERIVED_TABLES.map((t) => t.name), STATE_TABLE, PENDING_TABLE];

/** What a rebuild sets after the tables: the macros, the definitions' digest, an empty pending list. */
function afterTablesStatements(): string[] {
  return [
    ...DERIVED_MACROS,
    `CREATE OR REPLACE TABLE ${STATE_TABLE} AS SELECT '${DEFINITION_DIGEST}' AS definition_digest`,
    CREATE_PENDING.replace('CREATE TABLE', 'CREATE OR REPLACE TABLE'),
  ];
}

/** Statements recomputing every derived table and macro from the data tables (also migration 3). */
export function rebuildDerivedStatements(): string[] {
  return [...DERIVED_TABLES.map((table) => `CREATE OR REPLACE TABLE ${table.name} AS ${table.select(EVERYTHING)}`), ...afterTablesStatements()];
}

/**
 * Records (of every table) per slice when a keyed table is recomputed: its aggregates over a
 * million messages held ~1 GB at once; a slice of the keys at a time holds a fraction of it.
 */
const SLICE_RECORDS = 100_000;

/**
 * DuckDB's memory limit while the derived tables are refreshed: without one DuckDB keeps what the
 * aggregates used (~0.9 GB for 1.1 M tracking rows, sliced or not); under it ~0.3 GB. A refresh that
 * still runs out of memory under it is run again under RETRY_MEMORY_LIMIT, then without a limit:
 * slower to give memory back, but done.
 */
const REFRESH_MEMORY_LIMIT = '128MiB';
/**
 * The second try's limit. Straight to no limit, a take-in of 2.3 M tracking rows that failed under
 * 64 MiB peaked at 1.49 GB.
 */
const RETRY_MEMORY_LIMIT = '512MiB';

/** How many key slices recomputing over the records of `files` (null: all files) takes. */
async function sliceCount(connection: DuckDBConnection, files: readonly number[] | null, sliceRecords = SLICE_RECORDS): Promise<number> {
  const which = files === null ? "status IN ('ok', 'partial')" : `file_id IN (${files.map((id) => Math.trunc(id)).join(', ')})`;
  const rows = await connection.runAndReadAll(`SELECT coalesce(sum(records_stored), 0)::BIGINT AS n FROM ingest_files WHERE ${which}`);
  return Math.max(1, Math.ceil(Number(rows.getRows()[0][0]) / sliceRecords));
}

/** `scope`, restricted to slice `index` of `count` of the table's keys. */
function inSlice(table: KeyedDerivedTable, scope: Scope, count: number, index: number): Scope {
  if (count === 1) return scope;
  return (alias) => `${scope(alias)} AND ${table.keyOf(alias)} % ${count} = ${index}`;
}

/**
 * Recomputes every derived table and macro from the data tables. Run inside the caller's
 * transaction. `sliceRecords` (tests) overrides the records per slice of the keyed tables.
 */
export async function rebuildDerived(connection: DuckDBConnection, sliceRecords = SLICE_RECORDS): Promise<void> {
  const slices = await sliceCount(connection, null, sliceRecords);
  for (const table of DERIVED_TABLES) {
    const count = table.refresh === 'key' ? slices : 1;
    for (let index = 0; index < count; index++) {
      const select = table.refresh === 'key' ? table.select(inSlice(table, EVERYTHING, count, index)) : table.select(EVERYTHING);
      await connection.run(index === 0 ? `CREATE OR REPLACE TABLE ${table.name} AS ${select}` : `INSERT INTO ${table.name} BY NAME ${select}`);
    }
  }
  for (const statement of afterTablesStatements()) await connection.run(statement);
}

/** Notes a file whose rows the derived tables have yet to take in; run in the file's transaction. */
export async function markPending(connection: DuckDBConnection, fileId: number): Promise<void> {
  await connection.run(`INSERT INTO ${PENDING_TABLE} VALUES (${Math.trunc(fileId)})`);
}

async function definitionsCurrent(connection: DuckDBConnection): Promise<boolean> {
  const state = await connection.runAndReadAll(
    `SELECT (SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = '${STATE_TABLE}') AS n`,
  );
  if (Number(state.getRowObjectsJson()[0].n) === 0) return false;
  const digest = await connection.runAndReadAll(`SELECT definition_digest FROM ${STATE_TABLE}`);
  return digest.getRowObjectsJson()[0]?.definition_digest === DEFINITION_DIGEST;
}

async function pendingFiles(connection: DuckDBConnection): Promise<number[]> {
  const rows = (await connection.runAndReadAll(`SELECT DISTINCT file_id FROM ${PENDING_TABLE} ORDER BY file_id`)).getRows();
  return rows.map((r) => Number(r[0]));
}

/** Whether the derived tables lag behind the data (definitions changed, or files wait to be taken in). */
export async function derivedBehind(connection: DuckDBConnection): Promise<boolean> {
  return !(await definitionsCurrent(connection)) || (await pendingFiles(connection)).length > 0;
}

/** Whether some stored file with rows is not pending: else a rebuild is the cheaper refresh. */
async function othersHoldRows(connection: DuckDBConnection): Promise<boolean> {
  const rows = await connection.runAndReadAll(
    `SELECT EXISTS (SELECT 1 FROM ingest_files WHERE status IN ('ok', 'partial') AND records_stored > 0
       AND file_id NOT IN (SELECT file_id FROM ${PENDING_TABLE})) AS others`,
  );
  return rows.getRows()[0][0] === true;
}

/**
 * Brings the derived tables up to date with the data, in a transaction of its own: a rebuild when
 * the definitions changed or nothing but pending files holds rows, else the pending files are
 * taken in. Returns how many files were taken in (0 when up to date already). `memoryLimit` (tests)
 * overrides REFRESH_MEMORY_LIMIT.
 */
export async function refreshDerived(connection: DuckDBConnection, memoryLimit = REFRESH_MEMORY_LIMIT): Promise<number> {
  const current = await definitionsCurrent(connection);
  const files = current ? await pendingFiles(connection) : [];
  if (current && files.length === 0) return 0;
  for (const limit of [memoryLimit, RETRY_MEMORY_LIMIT]) {
    try {
      await withSettings(connection, { memory_limit: limit }, () => refreshOnce(connection, current, files));
      return files.length;
    } catch (error) {
      if (!/Out of Memory/i.test((error as Error).message)) throw error;
    }
  }
  await refreshOnce(connection, current, files);
  return files.length;
}

async function refreshOnce(connection: DuckDBConnection, current: boolean, files: readonly number[]): Promise<void> {
  await connection.run('BEGIN TRANSACTION');
  try {
    if (!current || !(await othersHoldRows(connection))) await rebuildDerived(connection);
    else {
      await takeIn(connection, ofFiles(files), await sliceCount(connection, files));
      await connection.run(`DELETE FROM ${PENDING_TABLE}`);
    }
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Takes the rows of the files in `files` into the derived tables. Rows of the files alone go in
 * first (no such table reads a keyed one); then each keyed table recomputes the keys the files
 * touched, found before any of them changes (and, for keys that move, again once the tables they
 * are read from are refreshed).
 */
async function takeIn(connection: DuckDBConnection, files: Scope, slices: number): Promise<void> {
  const keyed: KeyedDerivedTable[] = [];
  for (const table of DERIVED_TABLES) {
    if (table.refresh === 'key') keyed.push(table);
    else await connection.run(`INSERT INTO ${table.name} BY NAME ${table.select(files)}`);
  }
  // In table order: a table's keys may be read from the keys of an earlier one.
  for (const table of keyed) await connection.run(`CREATE OR REPLACE TEMP TABLE ${touchedKeysOf(table.name)} AS ${table.touched(files)}`);
  for (const table of keyed) {
    const keys = touchedKeysOf(table.name);
    if (table.keysMove) await connection.run(`INSERT INTO ${keys} ${table.touched(files)}`);
    await connection.run(`DELETE FROM ${table.name} WHERE ${table.key} IN (SELECT key FROM ${keys})`);
    for (let index = 0; index < slices; index++) {
      await connection.run(`INSERT INTO ${table.name} BY NAME ${table.select(inSlice(table, touchedKeys(table), slices, index))}`);
    }
  }
  for (const table of keyed) await connection.run(`DROP TABLE ${touchedKeysOf(table.name)}`);
}

/** The derived tables as views over data tables that are themselves views (a Parquet lake), and the macros. */
export function derivedViewStatements(): string[] {
  return [...DERIVED_TABLES.map((t) => `CREATE VIEW ${t.name} AS ${t.select(EVERYTHING)}`), ...DERIVED_MACROS];
}
