// Small DOM and formatting helpers: elements are built with textContent, never from HTML strings.

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "style") Object.assign(node.style, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const dayClock = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

/** A time today as 14:03:12, an older one with its date. */
export function formatTime(iso) {
  if (!iso) return "–";
  const date = new Date(iso);
  return Date.now() - date.getTime() < 20 * 3_600_000 ? clock.format(date) : dayClock.format(date);
}

export function formatAgo(iso) {
  if (!iso) return "never";
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")}`;
}

/** A clock offset in ms: "+12 ms", "−1.4 s". */
export function formatOffset(ms) {
  if (ms === null || ms === undefined) return "–";
  const sign = ms < 0 ? "−" : "+";
  const size = Math.abs(ms);
  return size < 1000 ? `${sign}${Math.round(size)} ms` : `${sign}${(size / 1000).toFixed(1)} s`;
}

export function formatMoney(amount, currency) {
  if (amount === null || amount === undefined) return "–";
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: currency ?? "EUR" }).format(
      amount,
    );
  } catch {
    return `${amount.toFixed(2)} ${currency ?? ""}`;
  }
}
