// Versioned schema. Each migration runs once, in order, in one transaction with the version bump.
// Never edit a released migration: add a new one.
import { TABLES } from './records.js';
import { createTableSql } from './ddl.js';
import { DERIVED_VIEWS } from './views.js';
import { CREATE_PENDING_IF_MISSING, rebuildDerivedStatements } from '../analysis/derived/maintain.js';
import { AUDIT_MIGRATION, AUDIT_REUSE_MIGRATION } from '../audit/schema.js';

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly statements: readonly string[];
}

const ledger = [
  'CREATE SEQUENCE ingest_file_id START 1',
  `CREATE TABLE ingest_files (
    file_id BIGINT NOT NULL DEFAULT nextval('ingest_file_id'),
    path VARCHAR NOT NULL,
    size BIGINT NOT NULL,
    mtime TIMESTAMP,
    sha256 VARCHAR NOT NULL,
    format VARCHAR,
    reader_version VARCHAR,
    start_offset BIGINT NOT NULL DEFAULT 0,
    end_offset BIGINT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    status VARCHAR NOT NULL,
    records_stored BIGINT NOT NULL DEFAULT 0,
    records_rejected BIGINT NOT NULL DEFAULT 0,
    first_time TIMESTAMP,
    last_time TIMESTAMP,
    time_rule VARCHAR,
    message VARCHAR
  )`,
  `CREATE TABLE ingest_issues (
    file_id BIGINT NOT NULL,
    byte_offset BIGINT,
    line_no BIGINT,
    severity VARCHAR NOT NULL,
    message VARCHAR NOT NULL
  )`,
];

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'ingest ledger, issues and the data tables',
    statements: [...ledger, ...TABLES.flatMap((t) => createTableSql(t)), ...DERIVED_VIEWS.map((v) => v.sql)],
  },
  AUDIT_MIGRATION,
  {
    version: 3,
    description: 'derived tables of the diagnosis and reports (src/analysis/derived), built from the data',
    statements: rebuildDerivedStatements(),
  },
  AUDIT_REUSE_MIGRATION,
  {
    version: 5,
    description: 'files whose rows the derived tables have yet to take in (taken in once per ingest run)',
    statements: [CREATE_PENDING_IF_MISSING],
  },
];

export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));
