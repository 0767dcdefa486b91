// Everything one audit run reports, in the shape the three renderers (findings.json, summary.md,
// report.html) read. Built by src/audit/run.ts.
import type { Confidence } from '../analysis/findings.js';
import type { AuditFinding, PreviousProblem } from '../audit/compare.js';
import type { DomainTimeline } from '../audit/timeline.js';

export interface FolderReport {
  path: string;
  globs: string[];
  tz: string | null;
  format: string | null;
  found: number;
  unchanged: number;
  /** Files by ingest status this run (ok, partial, failed, duplicate, unrecognised, missing). */
  byStatus: Record<string, number>;
  records: number;
  /** The folder itself could not be read. */
  missing: string | null;
}

export interface IngestIssueLine {
  where: string | null;
  severity: string;
  message: string;
}

export interface IngestProblem {
  path: string;
  status: string;
  message: string | null;
  /** Issues stored for that file (first few), and how many there were. */
  issues: IngestIssueLine[];
  issueCount: number;
}

export interface AuditReport {
  runId: number;
  previousRunId: number | null;
  startedAt: string;
  finishedAt: string;
  db: string;
  configPath: string | null;
  window: { since: string | null; until: string | null };
  failOn: Confidence;
  /** 0 or 1 (a failed run writes no report). */
  exitCode: number;
  /** Diagnosis reused from the previous run because neither data nor options changed. */
  diagnosisReused: boolean;
  findings: AuditFinding[];
  noLongerSeen: PreviousProblem[];
  folders: FolderReport[];
  ingestProblems: IngestProblem[];
  retention: { days: number; deleted: Record<string, number> } | null;
  notes: string[];
  timelines: DomainTimeline[];
}
