// The audit history: one row per completed audit run and one per finding it reported, so the
// next run can tell new from ongoing and resolved. A run is written in one transaction at its
// end; a run that failed or was killed leaves nothing here. `diagnosis_key` fingerprints the data
// and options the diagnosis saw: when the next run's key is equal, the stored findings (all but
// the derived `resolved` rows) and `notes` are the diagnosis, and it is not computed again.
import type { Migration } from '../store/migrations.js';

export const AUDIT_MIGRATION: Migration = {
  version: 2,
  description: 'audit history (audit_runs, audit_findings, audit_evidence)',
  statements: [
    `CREATE TABLE audit_runs (
      run_id BIGINT NOT NULL,
      started_at TIMESTAMP NOT NULL,
      finished_at TIMESTAMP NOT NULL,
      window_since TIMESTAMP,
      window_until TIMESTAMP,
      fail_on VARCHAR NOT NULL,
      exit_code INTEGER NOT NULL,
      config_path VARCHAR,
      out_dir VARCHAR NOT NULL,
      inputs VARCHAR NOT NULL,
      files_ingested INTEGER NOT NULL,
      files_unchanged INTEGER NOT NULL,
      files_failed INTEGER NOT NULL,
      new_count INTEGER NOT NULL,
      ongoing_count INTEGER NOT NULL,
      resolved_count INTEGER NOT NULL,
      diagnosis_key VARCHAR NOT NULL,
      notes VARCHAR NOT NULL
    )`,
    `CREATE TABLE audit_findings (
      run_id BIGINT NOT NULL,
      domain VARCHAR NOT NULL,
      verdict VARCHAR NOT NULL,
      confidence VARCHAR NOT NULL,
      status VARCHAR,
      first_reported VARCHAR,
      summary VARCHAR NOT NULL,
      counts VARCHAR NOT NULL,
      evidence_digest VARCHAR NOT NULL,
      remediation VARCHAR,
      first_seen VARCHAR,
      last_seen VARCHAR
    )`,
    // Evidence JSON stored once per distinct content: an unchanged domain's evidence is the same
    // night after night, and writing it again would be most of a re-run's cost.
    `CREATE TABLE audit_evidence (
      digest VARCHAR NOT NULL,
      evidence VARCHAR NOT NULL
    )`,
  ],
};

// What lets an unchanged re-run skip work. The chart series of a diagnosis depend on the same data
// and window as the diagnosis itself, so they are stored under its key: a re-run draws the previous
// run's charts instead of querying the data tables again. Files the ingest found in no format
// edgelog reads get no ledger row; remembering them by path, size and mtime (per release, since
// a later one may read them) spares sniffing each of them again every night.
export const AUDIT_REUSE_MIGRATION: Migration = {
  version: 4,
  description: 'audit reuse (audit_timelines, audit_unrecognised_files)',
  statements: [
    `CREATE TABLE audit_timelines (
      diagnosis_key VARCHAR NOT NULL,
      timelines VARCHAR NOT NULL
    )`,
    `CREATE TABLE audit_unrecognised_files (
      path VARCHAR NOT NULL,
      size BIGINT NOT NULL,
      mtime_ms BIGINT NOT NULL,
      edgelog_version VARCHAR NOT NULL
    )`,
  ],
};
