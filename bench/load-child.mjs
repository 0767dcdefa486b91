// @ts-check
// One timed load of a text bench, in a fresh process of plain Node: the product as shipped (`dist/`,
// which `npm run bench` builds) and DuckDB's read_csv reference measured alike. Plain JavaScript so
// that no TypeScript loader runs in the process: tsx's module hooks run in a thread of their own,
// which added 10-30 MB to every peak RSS measured under it. Prints its result as JSON on the last line.
//
//   node bench/load-child.mjs ours   <log> <db> <format> <count-sql>
//   node bench/load-child.mjs duckdb <log> <db> <delimiter> <column-count>
import { existsSync } from 'node:fs';

const [mode, log, db, ...rest] = process.argv.slice(2);

/** @param {string} path */
async function shipped(path) {
  const url = new URL(`../dist/${path}`, import.meta.url);
  if (!existsSync(url)) throw new Error(`${url.pathname} is missing: run \`npm run build\` (npm run bench does)`);
  return import(url.href);
}

const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

/**
 * `edgelog ingest` of the log in two timed parts: the load (reader → DuckDB, the ledger, one
 * transaction) is what is compared with read_csv; the derived tables' take-in of the file, which
 * `ingest` runs once per run after its loads, is reported apart.
 * @param {string} format @param {string} countSql
 */
async function ours(format, countSql) {
  const { openStore } = await shipped('store/store.js');
  const { ingestPaths } = await shipped('store/ingest.js');
  const { refreshDerived } = await shipped('analysis/derived/maintain.js');
  const { runSql } = await shipped('store/sql.js');
  const store = await openStore(db);
  try {
    const started = performance.now();
    const [summary] = await ingestPaths(store, [log], { format, derive: false });
    const seconds = (performance.now() - started) / 1000;
    if (summary.status !== 'ok') throw new Error(`ingest ${summary.status}: ${summary.message}`);
    const maxRssMb = peakRssMb();
    const deriveStarted = performance.now();
    const taken = await refreshDerived(store.connection);
    if (taken !== 1) throw new Error(`the take-in took ${taken} files, not 1`);
    const deriveSeconds = (performance.now() - deriveStarted) / 1000;
    const { rows } = await runSql(store.connection, countSql);
    return { seconds, rows: Number(rows[0].n), maxRssMb, deriveSeconds, deriveMaxRssMb: peakRssMb() };
  } finally {
    await store.close();
  }
}

/**
 * The reference route of duckdb-notes.md: read_csv into a table, every column VARCHAR with explicit
 * names, no quoting, `#` directive lines dropped by a WHERE.
 * @param {string} delimiter @param {number} columnCount
 */
async function duckdb(delimiter, columnCount) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(db);
  const connection = await instance.connect();
  const columns = Array.from({ length: columnCount }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  const started = performance.now();
  await connection.run(
    `CREATE TABLE raw AS SELECT * FROM read_csv('${log.replace(/'/g, "''")}', delim = '${delimiter}', quote = '', escape = '',
       header = false, auto_detect = false, null_padding = true, columns = {${columns}}) WHERE NOT starts_with(c0, '#')`,
  );
  const seconds = (performance.now() - started) / 1000;
  const count = await connection.runAndReadAll('SELECT count(*) AS n FROM raw');
  const rows = Number(count.getRowObjectsJson()[0].n);
  connection.closeSync();
  instance.closeSync();
  return { seconds, rows, maxRssMb: peakRssMb() };
}

if (mode === 'ours') console.log(JSON.stringify(await ours(rest[0], rest[1])));
else if (mode === 'duckdb') console.log(JSON.stringify(await duckdb(rest[0], Number(rest[1]))));
else throw new Error(`unknown mode ${mode}: ours or duckdb`);
