// DuckDB settings changed for one piece of work (a file's load, the derived tables' take-in).
import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Sets DuckDB settings; returns their previous values, to be set again the same way. Values are set
 * back explicitly rather than RESET: `RESET memory_limit` shows the default back but leaves the
 * buffer manager at the lower limit (DuckDB 1.5.6), which failed later queries with "Out of Memory".
 * Not inside a transaction: a SET fails in an aborted one, and would hide the error that aborted it.
 */
export async function changeSettings(connection: DuckDBConnection, settings: Readonly<Record<string, string>>): Promise<Record<string, string>> {
  const names = Object.keys(settings);
  const read = await connection.runAndReadAll(`SELECT ${names.map((n) => `current_setting('${n}')`).join(', ')}`);
  const values = read.getRows()[0];
  const previous = Object.fromEntries(names.map((name, i) => [name, String(values[i])]));
  try {
    for (const name of names) await setting(connection, name, settings[name]);
  } catch (error) {
    // A SET that fails may still have changed the setting (DuckDB 1.5.6: a memory_limit below the
    // memory in use fails, yet current_setting() reports it): every one is set back.
    for (const name of names) await setting(connection, name, previous[name]).catch(() => undefined);
    throw error;
  }
  return previous;
}

function setting(connection: DuckDBConnection, name: string, value: string): Promise<unknown> {
  return connection.run(`SET ${name} = '${value.replaceAll("'", "''")}'`);
}

/** Runs `work` under other settings and sets the previous values again, also when it fails. */
export async function withSettings<T>(connection: DuckDBConnection, settings: Readonly<Record<string, string>>, work: () => Promise<T>): Promise<T> {
  const previous = await changeSettings(connection, settings);
  try {
    return await work();
  } finally {
    await changeSettings(connection, previous);
  }
}
