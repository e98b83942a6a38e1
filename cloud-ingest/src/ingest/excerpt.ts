/** Rejected payloads are kept as excerpts of at most this many UTF-8 bytes. */
export const EXCERPT_MAX_BYTES = 2048;

/** The start of `input`, cut at a character boundary so it stays valid UTF-8 within `maxBytes`. */
export function excerpt(input: Buffer | string, maxBytes = EXCERPT_MAX_BYTES): string {
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  if (bytes.length <= maxBytes) return bytes.toString("utf8");
  let end = maxBytes;
  // Back off continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8");
}
