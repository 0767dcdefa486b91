// Reading an audit's report folder for comparisons between runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * findings.json and the charts of report.html without what differs between two runs on the same
 * data by design: run ids and times, statuses and their totals, what was read, the reuse note.
 */
export function comparableReport(reportDir: string): { json: Record<string, unknown>; charts: string[] } {
  const json = JSON.parse(readFileSync(join(reportDir, 'findings.json'), 'utf8')) as Record<string, unknown>;
  const html = readFileSync(join(reportDir, 'report.html'), 'utf8');
  const perRun = ['run_id', 'previous_run_id', 'started_at', 'finished_at', 'diagnosis_reused', 'inputs', 'totals'];
  const withoutStatus = (list: unknown) => (list as Record<string, unknown>[]).map((f) => ({ ...f, status: undefined }));
  return {
    json: {
      ...Object.fromEntries(Object.entries(json).filter(([k]) => !perRun.includes(k))),
      findings: withoutStatus(json.findings),
      domains: withoutStatus(json.domains),
      notes: (json.notes as string[]).filter((n) => !n.startsWith('no new data since run')),
    },
    charts: html.match(/<svg[\s\S]*?<\/svg>/g) ?? [],
  };
}
