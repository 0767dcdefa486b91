// Runs a canned report the way `edgelog report` does: find it, bind its parameters, run it.
import type { Store } from '../../src/store/store.js';
import { bindParams, findReport } from '../../src/reports/catalog.js';
import { runSql, type RowSet } from '../../src/store/sql.js';

export async function report(store: Store, name: string, params: Record<string, string> = {}): Promise<RowSet> {
  const r = findReport(name);
  const bound = bindParams(r, params);
  return runSql(store.connection, r.sql, bound.values, bound.types);
}
