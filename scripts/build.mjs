// `npm run build`: tsc, then the non-TypeScript assets of src/ (canned .sql reports, knowledge
// .json tables) copied next to the compiled code so dist/ is self-contained. Assets are copied
// even when tsc reports errors, and the exit status is tsc's. dist/ is emptied first, so a module
// deleted from src/ cannot live on in it.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { extname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync('dist', { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' });
if (existsSync('src')) {
  cpSync('src', 'dist', { recursive: true, filter: (source) => extname(source) !== '.ts' });
}
process.exit(result.status ?? 2);
