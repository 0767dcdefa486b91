// The edgelog release, part of every fingerprint of work an audit may reuse: another release may
// read or diagnose differently.
import { createRequire } from 'node:module';

export const EDGELOG_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
