// Child process for kill tests: ingests one file with the test reader; prints "reading" once the
// data transaction is under way.
import { openStore } from '../../src/store/store.js';
import { ingestPaths } from '../../src/store/ingest.js';
import { testLineReader } from './line-reader.js';

const [db, path] = process.argv.slice(2);
const store = await openStore(db);
let told = false;
await ingestPaths(store, [path], {
  readers: [testLineReader],
  onProgress: () => {
    if (!told) process.stdout.write('reading\n');
    told = true;
  },
});
await store.close();
