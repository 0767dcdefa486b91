// Normalised ISA / TMG action names from the data table isa-actions.json.
import { readFileSync } from 'node:fs';

interface ActionTable {
  actions: { action: string; code: number | null; names: string[] }[];
}

const table = JSON.parse(readFileSync(new URL('./isa-actions.json', import.meta.url), 'utf8')) as ActionTable;
const byName = new Map<string, string>();
for (const entry of table.actions) for (const name of entry.names) byName.set(name.toLowerCase(), entry.action);

/** `Denied`, `Denied Connection`, `BLOCKED` → `denied`; null for values the table does not know. */
export function normaliseIsaAction(raw: string | null): string | null {
  return raw === null ? null : (byName.get(raw.toLowerCase()) ?? null);
}
