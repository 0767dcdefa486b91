// Derived tables: the per-message, per-session and per-event work of the diagnosis and the reports,
// done once when data arrives instead of on every query. Each is defined by one SELECT over the
// data tables (or earlier derived tables) and kept up to date inside each file's ingest
// transaction, so a rollback or a kill leaves them consistent with the data:
//   - per file: rows that come from one file only (a session and its lines, an event) are inserted
//     with that file;
//   - per key: rows that combine several files (a message's tracking rows, an event's candidate
//     attempts) are deleted and recomputed, for the keys the file touched, from all rows of those
//     keys: a semi-join on the touched keys keeps the cost proportional to the file.
// `rebuildDerived` recomputes everything (after a migration, a retention delete, a bulk copy); a
// changed definition (e.g. an edited rules file) is noticed by its digest and rebuilt the same way.
// Over a Parquet lake the same SELECTs become views.
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { EVERYTHING, ofFile, type Scope } from './sql-text.js';
import { MAIL_PAIRS_IN, domainMonthKey, inboundSenderSessionsSelect, mailDomainMonthsSelect, mailPairsSelect, mailSenderMonthsSelect, messageKey, senderMonthKey } from './mail.js';
import { SESSION_MACROS, outboundSessionsSelect, xexch50AttemptsSelect } from './sessions.js';
import { PRECOMPUTED_SKEW_SECONDS, candidateBinKey, candidateBinsSelect, candidateBoundMs, candidatesSelect, eventKey, firewallSmtpRowsSelect, smtpFilterCountsSelect, smtpFilterEventsSelect, XEXCH50_EVENTS } from './firewall.js';
import { fileSpansSelect } from './spans.js';
import { queueStatsSelect } from './queue-stats.js';
import { recipientRepliesSelect, sessionAddressesSelect, sessionStatsSelect } from './session-stats.js';
import { REPORT_TABLES } from './report-tables.js';
import { touchedKeys, touchedKeysOf, type DerivedTable, type KeyedDerivedTable } from './table.js';

const candidateBound = candidateBoundMs(PRECOMPUTED_SKEW_SECONDS);

/** Sums of mail pairs per month: the months of the pairs of the messages a file touched. */
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

/** The candidates of the events a file brings, and of the events near the attempts it brings. */
const candidates: KeyedDerivedTable = {
  name: 'xexch50_candidates',
  refresh: 'key',
  key: 'event_key',
  keyOf: eventKey,
  touched: (fileId) => `SELECT ${eventKey('e')} AS key FROM smtp_filter_events e WHERE ${ofFile(fileId)('e')} AND ${XEXCH50_EVENTS}
    UNION SELECT event_key FROM (${candidatesSelect(EVERYTHING, ofFile(fileId), candidateBound)})`,
  select: (scope) => candidatesSelect(scope, EVERYTHING, candidateBound),
};

/** In dependency order: a table may read the ones before it. */
export const DERIVED_TABLES: readonly DerivedTable[] = [
  // Which files hold a message's rows: a message touched by a file is recomputed from those only.
  { name: 'tracking_message_files', refresh: 'file', select: (scope) => `SELECT DISTINCT ${messageKey('t')} AS message_key, file_id FROM tracking t WHERE ${scope('t')}` },
  {
    name: 'mail_pairs',
    refresh: 'key',
    key: 'message_key',
    keyOf: messageKey,
    touched: (fileId) => `SELECT DISTINCT message_key AS key FROM tracking_message_files WHERE file_id = ${Math.trunc(fileId)}`,
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

/** Every table the derived layer keeps in the store (not data: never exported, rebuilt at will). */
export const DERIVED_TABLE_NAMES: readonly string[] = [...DERIVED_TABLES.map((t) => t.name), STATE_TABLE];

/** Statements recomputing every derived table and macro from the data tables (also migration 3). */
export function rebuildDerivedStatements(): string[] {
  return [
    ...DERIVED_TABLES.map((table) => `CREATE OR REPLACE TABLE ${table.name} AS ${table.select(EVERYTHING)}`),
    ...DERIVED_MACROS,
    `CREATE OR REPLACE TABLE ${STATE_TABLE} AS SELECT '${DEFINITION_DIGEST}' AS definition_digest`,
  ];
}

/** Recomputes every derived table and macro from the data tables. Run inside the caller's transaction. */
export async function rebuildDerived(connection: DuckDBConnection): Promise<void> {
  for (const statement of rebuildDerivedStatements()) await connection.run(statement);
}

async function upToDate(connection: DuckDBConnection): Promise<boolean> {
  const exists = await connection.runAndReadAll(
    `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'main' AND table_name = '${STATE_TABLE}'`,
  );
  if (Number(exists.getRowObjectsJson()[0].n) === 0) return false;
  const state = await connection.runAndReadAll(`SELECT definition_digest FROM ${STATE_TABLE}`);
  return state.getRowObjectsJson()[0]?.definition_digest === DEFINITION_DIGEST;
}

/**
 * Brings the derived tables up to date with file `fileId`, just loaded in the open transaction.
 * Rows of the file alone go in first (no such table reads a keyed one); then each keyed table
 * recomputes the keys the file touched, found before any of them changes (and, for keys that move,
 * again once the tables they are read from are refreshed).
 */
export async function refreshDerived(connection: DuckDBConnection, fileId: number): Promise<void> {
  if (!(await upToDate(connection))) {
    await rebuildDerived(connection);
    return;
  }
  const keyed: KeyedDerivedTable[] = [];
  for (const table of DERIVED_TABLES) {
    if (table.refresh === 'key') keyed.push(table);
    else await connection.run(`INSERT INTO ${table.name} BY NAME ${table.select(ofFile(fileId))}`);
  }
  // In table order: a table's keys may be read from the keys of an earlier one.
  for (const table of keyed) await connection.run(`CREATE OR REPLACE TEMP TABLE ${touchedKeysOf(table.name)} AS ${table.touched(fileId)}`);
  for (const table of keyed) {
    const keys = touchedKeysOf(table.name);
    if (table.keysMove) await connection.run(`INSERT INTO ${keys} ${table.touched(fileId)}`);
    await connection.run(`DELETE FROM ${table.name} WHERE ${table.key} IN (SELECT key FROM ${keys})`);
    await connection.run(`INSERT INTO ${table.name} BY NAME ${table.select(touchedKeys(table))}`);
  }
  for (const table of keyed) await connection.run(`DROP TABLE ${touchedKeysOf(table.name)}`);
}

/** The derived tables as views over data tables that are themselves views (a Parquet lake), and the macros. */
export function derivedViewStatements(): string[] {
  return [...DERIVED_TABLES.map((t) => `CREATE VIEW ${t.name} AS ${t.select(EVERYTHING)}`), ...DERIVED_MACROS];
}
