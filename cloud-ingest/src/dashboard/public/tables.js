// The sessions and gateways tables.
import { el, formatAgo, formatDuration, formatMoney, formatOffset, formatTime } from "./dom.js";

function table(node, headings, rows, empty) {
  const head = el(
    "thead",
    {},
    el(
      "tr",
      {},
      headings.map((h) => el("th", { scope: "col" }, h)),
    ),
  );
  const body =
    rows.length === 0
      ? el("tbody", {}, el("tr", {}, el("td", { colspan: headings.length, class: "empty" }, empty)))
      : el("tbody", {}, rows);
  node.replaceChildren(head, body);
}

export function renderSessions(node, sessions, status) {
  const rows = sessions.map((s) =>
    el(
      "tr",
      { dataset: { session: s.id } },
      el(
        "td",
        { class: "plate" },
        s.plate,
        s.matchedBy === "fuzzy" ? el("span", { class: "tag" }, "fuzzy") : null,
      ),
      el("td", {}, formatTime(s.entryAt)),
      el("td", {}, formatTime(s.exitAt)),
      el(
        "td",
        { class: "num" },
        s.status === "open"
          ? formatDuration((Date.now() - Date.parse(s.entryAt)) / 1000)
          : formatDuration(s.durationS),
      ),
      el("td", { class: "num" }, formatMoney(s.fee, s.currency)),
    ),
  );
  table(node, ["plate", "entry", "exit", "duration", "fee"], rows, `no ${status} sessions`);
}

function onlineCell(online) {
  const state = online === true ? "online" : online === false ? "offline" : "unknown";
  return el("td", {}, el("span", { class: `dot ${state}`, "aria-hidden": "true" }), state);
}

export function renderGateways(node, gateways) {
  const rows = gateways.map((g) =>
    el(
      "tr",
      { dataset: { gateway: g.id } },
      el("td", { class: "plate" }, g.id, el("div", { class: "sub" }, g.site ?? "")),
      onlineCell(g.online),
      el("td", {}, formatAgo(g.lastSeen)),
      el("td", { class: "num" }, g.backlog ?? "–"),
      el("td", { class: "num" }, formatOffset(g.clockOffsetMs)),
      el("td", { class: "num" }, g.events.toLocaleString()),
      el("td", {}, g.version ?? "–"),
    ),
  );
  table(
    node,
    ["gateway", "state", "last seen", "backlog", "clock", "events", "agent"],
    rows,
    "no gateway yet",
  );
}
