// recipient-address and recipient-status of Exchange 2007+ tracking rows are `;`-separated lists in
// matching order (log-formats.md §5.3) — but a status can itself contain `;`
// (`550 4.4.7 QUEUE.Expired;<ErrorText>`). Statuses are therefore split only where a new status
// starts (`250 ...`, `To`, `Cc`, `Bcc`); when the counts still disagree every recipient keeps the
// whole status text as logged.

const STATUS_START = /^(?:\d{3}[ -]|\d{3}$|To$|Cc$|Bcc$)/i;

export function splitRecipients(addresses: string | null): string[] {
  if (addresses === null) return [];
  return addresses.split(';').map((a) => a.trim()).filter((a) => a.length > 0);
}

/** One status per recipient (null where none was logged). */
export function statusesFor(recipientCount: number, status: string | null): (string | null)[] {
  if (status === null || recipientCount <= 1) return [status];
  const parts = status.split(';');
  if (parts.length === recipientCount) return parts.map((p) => p.trim() || null);
  const grouped: string[] = [];
  for (const part of parts) {
    if (grouped.length === 0 || STATUS_START.test(part.trim())) grouped.push(part);
    else grouped[grouped.length - 1] += ';' + part;
  }
  if (grouped.length === recipientCount) return grouped.map((p) => p.trim() || null);
  return new Array<string | null>(recipientCount).fill(status);
}
