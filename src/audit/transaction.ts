// BEGIN/COMMIT with a ROLLBACK on any error. DuckDB's COMMIT after a failed statement reports
// success and silently rolls back, so the error is caught and rethrown rather than committed over.
import type { DuckDBConnection } from '@duckdb/node-api';

export async function inTransaction<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
  await connection.run('COMMIT');
  return result;
}
