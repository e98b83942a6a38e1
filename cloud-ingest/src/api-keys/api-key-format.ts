import { newSecret } from "../credentials/secret-hash.js";

/**
 * An API key is `NAME.SECRET`: the name says which hash to check, so a wrong key costs at most
 * one scrypt and a key of an unknown name none. The secret is base64url (no '.'), so the key
 * splits at its last '.' even when the name has dots.
 */
export function newApiKey(name: string): string {
  return `${name}.${newSecret()}`;
}

/** The name part of a key, or null when the key has no `NAME.SECRET` shape. */
export function apiKeyName(key: string): string | null {
  const dot = key.lastIndexOf(".");
  if (dot < 1 || dot === key.length - 1) return null;
  return key.slice(0, dot);
}
