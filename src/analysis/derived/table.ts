// What a derived table is: one SELECT over the data tables (or earlier derived tables), restricted
// by a scope, and how newly ingested files change it.
import type { Scope } from './sql-text.js';

export interface FileDerivedTable {
  name: string;
  /** Rows come from one file only: refreshed by inserting the new files' rows. */
  refresh: 'file';
  select(scope: Scope): string;
}

export interface KeyedDerivedTable {
  name: string;
  /** Rows combine files: the keys new files touched are deleted and recomputed from all their rows. */
  refresh: 'key';
  /** The key column of the table, and the same key computed on the SELECT's driving table alias. */
  key: string;
  keyOf(alias: string): string;
  /** SELECT of the keys (as `key`) that the files in `files` touched; runs once their own rows are in. */
  touched(files: Scope): string;
  /**
   * Its keys are read from rows of an earlier keyed table that the refresh replaces (a message's
   * pairs leave one month and join another): they are read again once that table is refreshed.
   */
  keysMove?: boolean;
  /** A cheap condition on the driving alias that the touched keys imply (e.g. only the files that hold them). */
  narrow?(alias: string): string;
  select(scope: Scope): string;
}

export type DerivedTable = FileDerivedTable | KeyedDerivedTable;

/** The temp table of the keys of keyed table `name` that the files being refreshed touched. */
export const touchedKeysOf = (name: string): string => `derived_touched_keys_${name}`;

export const touchedKeys = (table: KeyedDerivedTable): Scope => (alias) =>
  [table.narrow?.(alias), `${table.keyOf(alias)} IN (SELECT key FROM ${touchedKeysOf(table.name)})`].filter(Boolean).join(' AND ');
