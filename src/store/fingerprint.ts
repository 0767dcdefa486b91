// SHA-256 of a file's first `size` bytes, plus the digests of given prefixes, in one streaming pass:
// a grown log is recognised by its old content being an exact prefix of the new.
import { createHash, type Hash } from 'node:crypto';
import type { ByteSource } from '../readers/types.js';

export interface Fingerprint {
  sha256: string;
  /** Digest of the first N bytes, for each requested N below the size. */
  prefixes: Map<number, string>;
}

export async function fingerprint(source: ByteSource, prefixLengths: number[]): Promise<Fingerprint> {
  const wanted = [...new Set(prefixLengths.filter((n) => n > 0 && n < source.size))].sort((a, b) => a - b);
  const prefixes = new Map<number, string>();
  const hash: Hash = createHash('sha256');
  let position = 0;
  let next = 0;
  for await (const chunk of source.stream(0)) {
    let from = 0;
    while (next < wanted.length && wanted[next] <= position + chunk.length) {
      const cut = wanted[next] - position;
      hash.update(chunk.subarray(from, cut));
      from = cut;
      prefixes.set(wanted[next], hash.copy().digest('hex'));
      next++;
    }
    hash.update(chunk.subarray(from));
    position += chunk.length;
  }
  return { sha256: hash.digest('hex'), prefixes };
}
