// Security identifiers in the string form Windows prints (ConvertSidToStringSid): `S-1-5-21-…`.
// Shared by the EVT reader (EVENTLOGRECORD.UserSid) and anything else holding a binary SID.

/** Size of a SID with no sub-authorities: revision, count, 6-byte authority. */
const SID_FIXED_BYTES = 8;
/** The most sub-authorities a SID may have (SID_MAX_SUB_AUTHORITIES). */
const SID_MAX_SUB_AUTHORITIES = 15;

/**
 * Renders a binary SID, or returns null when the bytes are not one (wrong length for the
 * sub-authority count, or revision other than 1) so callers can report it instead of storing garbage.
 */
export function formatSid(bytes: Uint8Array): string | null {
  if (bytes.length < SID_FIXED_BYTES) return null;
  const revision = bytes[0];
  const count = bytes[1];
  if (revision !== 1 || count > SID_MAX_SUB_AUTHORITIES || bytes.length !== SID_FIXED_BYTES + 4 * count) return null;
  // The authority is a 48-bit big-endian number; Windows prints it in hex when it needs more than 32 bits.
  const high = (bytes[2] << 8) | bytes[3];
  const low = ((bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7]) >>> 0;
  const authority =
    high === 0
      ? String(low)
      : `0x${Array.from(bytes.subarray(2, 8), (b) => b.toString(16).padStart(2, '0')).join('')}`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let text = `S-${revision}-${authority}`;
  for (let i = 0; i < count; i++) text += `-${view.getUint32(SID_FIXED_BYTES + 4 * i, true)}`;
  return text;
}
