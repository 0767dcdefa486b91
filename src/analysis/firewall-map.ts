// `--firewall-map FILE`: which remote domains sit behind which firewall host. Lines are
// `HOST=domain[,domain]`; `#` starts a comment; blank lines are ignored. Host names compare
// case-insensitively (event logs write the NetBIOS name in any case), so keys are lower-cased.
import { EdgelogError } from '../cli/errors.js';

const DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

/** A lower-case DNS name (queue names such as "Messages awaiting directory lookup" are not). */
export function isDomainName(name: string): boolean {
  return DOMAIN.test(name);
}

export function parseFirewallMap(text: string, fileName: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const where = `${fileName}:${index + 1}`;
    const eq = line.indexOf('=');
    if (eq < 0) throw new EdgelogError(`${where}: expected HOST=domain[,domain], got "${line}"`);
    const host = line.slice(0, eq).trim().toLowerCase();
    if (host === '' || /\s/.test(host)) throw new EdgelogError(`${where}: missing or invalid host name before "="`);
    const domains = line
      .slice(eq + 1)
      .split(',')
      .map((d) => d.trim().toLowerCase());
    for (const d of domains) {
      if (!isDomainName(d)) throw new EdgelogError(`${where}: invalid domain "${d}" for host ${host}`);
    }
    const known = map.get(host) ?? [];
    map.set(host, [...known, ...domains.filter((d) => !known.includes(d))]);
  });
  return map;
}

/** Domains mapped to a firewall host; tries the full name, then the name without its DNS suffix. */
export function mappedDomains(map: Map<string, string[]> | undefined, host: string): string[] | undefined {
  if (!map) return undefined;
  const lower = host.toLowerCase();
  return map.get(lower) ?? map.get(lower.split('.')[0]);
}
