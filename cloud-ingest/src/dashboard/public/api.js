// Talks to the ingest's REST API and event stream, with the API key when there is one.

const KEY_STORAGE = "lotwatch.apiKey";
/** The stream takes the key as a query parameter: EventSource cannot send headers. */
const STREAM_TOKEN_PARAM = "access_token";

export class UnauthorizedError extends Error {}

/** Moves `?key=` from the address bar into localStorage, so it is not left in history or screenshots. */
export function takeKeyFromUrl() {
  const url = new URL(window.location.href);
  const key = url.searchParams.get("key");
  if (key === null) return;
  if (key !== "") localStorage.setItem(KEY_STORAGE, key);
  url.searchParams.delete("key");
  window.history.replaceState(null, "", url);
}

export const apiKey = () => localStorage.getItem(KEY_STORAGE);
export const saveKey = (key) => localStorage.setItem(KEY_STORAGE, key);
export const forgetKey = () => localStorage.removeItem(KEY_STORAGE);

export async function getJson(path, params = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
  }
  const key = apiKey();
  const response = await fetch(url, { headers: key ? { Authorization: `Bearer ${key}` } : {} });
  const body = await response.json().catch(() => null);
  const message = body?.error?.message ?? `${response.status} ${response.statusText}`;
  if (response.status === 401) throw new UnauthorizedError(message);
  if (!response.ok) throw new Error(`${url.pathname}: ${message}`);
  return body;
}

/**
 * Follows a site's count stream. `onState` hears "live" or "reconnecting"; EventSource reconnects
 * by itself, except after an answer that is not a stream (a 401), when `onClosed` is called.
 */
export function openCountStream(site, { onSnapshot, onCount, onState, onClosed }) {
  const url = new URL(`/v1/sites/${encodeURIComponent(site)}/events/stream`, window.location.origin);
  const key = apiKey();
  if (key) url.searchParams.set(STREAM_TOKEN_PARAM, key);
  const source = new EventSource(url);
  source.addEventListener("snapshot", (event) => onSnapshot(JSON.parse(event.data)));
  source.addEventListener("count", (event) => onCount(JSON.parse(event.data)));
  source.addEventListener("open", () => onState("live"));
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) onClosed();
    else onState("reconnecting");
  });
  return source;
}
