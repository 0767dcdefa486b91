// Copies the non-TypeScript assets of src/ (canned .sql reports, knowledge .json tables, html
// templates) next to the compiled code, so dist/ is self-contained.
import { cpSync, existsSync } from 'node:fs';
import { extname } from 'node:path';

if (existsSync('src')) {
  cpSync('src', 'dist', {
    recursive: true,
    filter: (source) => extname(source) !== '.ts',
  });
}
