import type { SessionCursor } from "./session-query.js";

/** Opaque to clients: base64url of `[startedAt, id]`. */
export function encodeCursor(cursor: SessionCursor): string {
  return Buffer.from(JSON.stringify([cursor.startedAt, cursor.id])).toString("base64url");
}

/** The cursor, or null when `text` is not one this ingest made. */
export function decodeCursor(text: string): SessionCursor | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [startedAt, id] = value as unknown[];
  if (!Number.isSafeInteger(startedAt) || typeof id !== "string") return null;
  return { startedAt: startedAt as number, id };
}
