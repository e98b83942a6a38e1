// The dashboard: space cards fed by the count stream, charts of history and forecast, sessions, gateways.
import { forgetKey, getJson, openCountStream, saveKey, takeKeyFromUrl, UnauthorizedError } from "./api.js";
import { createSpaceChart } from "./chart.js";
import { el, formatTime } from "./dom.js";
import { renderGateways, renderSessions } from "./tables.js";

/** What each range shows: history step, and forecast step and hours ahead. */
const RANGES = {
  "1h": { ms: 3_600_000, step: "30s", forecastStep: "1m", forecastHours: 1 },
  "6h": { ms: 6 * 3_600_000, step: "3m", forecastStep: "5m", forecastHours: 2 },
  "24h": { ms: 24 * 3_600_000, step: "10m", forecastStep: "15m", forecastHours: 6 },
  "7d": { ms: 7 * 24 * 3_600_000, step: "1h", forecastStep: "1h", forecastHours: 24 },
};
const CHARTS_EVERY_MS = 60_000;
const GATEWAYS_EVERY_MS = 5_000;
const SESSIONS_EVERY_MS = 15_000;
/** After a count change, sessions and that space's chart are read again at most this often. */
const SESSIONS_AFTER_CHANGE_MS = 2_000;
const CHART_AFTER_CHANGE_MS = 5_000;

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(window.location.search);
const state = {
  site: params.get("site"),
  range: RANGES[params.get("range")] ? params.get("range") : "6h",
  status: "open",
  /** space id → { card, chart, view } */
  spaces: new Map(),
  stream: null,
  timers: [],
};

function setUrl() {
  const url = new URL(window.location.href);
  url.searchParams.set("site", state.site);
  url.searchParams.set("range", state.range);
  window.history.replaceState(null, "", url);
}

function showError(error) {
  if (error instanceof UnauthorizedError) {
    $("key-reason").textContent = `${error.message}. The key is kept in this browser only.`;
    $("key-form").hidden = false;
    return;
  }
  $("error").textContent = error instanceof Error ? error.message : String(error);
  $("error").hidden = false;
}

const clearError = () => {
  $("error").hidden = true;
};

function setLive(live) {
  const badge = $("live");
  badge.dataset.state = live;
  badge.textContent = { live: "live", reconnecting: "reconnecting…", closed: "disconnected" }[live] ?? live;
}

function fillLevel(ratio) {
  return ratio >= 0.9 ? "full" : ratio >= 0.7 ? "busy" : "ok";
}

/** Writes a space view (from the snapshot or a count event) into its card. */
function paintCard(entry, view) {
  entry.view = { ...entry.view, ...view };
  const { card } = entry;
  const { count, capacity } = entry.view;
  card.querySelector(".count").textContent = count.toLocaleString();
  const bar = card.querySelector(".bar");
  const fill = card.querySelector(".fill");
  if (capacity) {
    const ratio = count / capacity;
    fill.style.width = `${Math.min(100, ratio * 100).toFixed(1)}%`;
    bar.dataset.level = fillLevel(ratio);
    card.querySelector(".free").textContent =
      `${Math.max(0, capacity - count).toLocaleString()} free · ${Math.round(ratio * 100)}%`;
  } else {
    card.querySelector(".free").textContent = "no capacity set";
  }
  card.querySelector(".clamped").hidden = !entry.view.clamped;
}

function buildCard(view, depth) {
  const card = el(
    "article",
    { class: "space", dataset: { space: view.id, depth: String(depth) } },
    el(
      "header",
      {},
      el("h3", {}, view.id),
      view.parent ? el("span", { class: "sub" }, `in ${view.parent}`) : null,
      el("span", { class: "source", title: "where the count comes from" }, view.source),
    ),
    el(
      "div",
      { class: "figures" },
      el("span", { class: "count" }, "0"),
      el("span", { class: "capacity" }, view.capacity ? `/ ${view.capacity.toLocaleString()}` : ""),
      el("span", { class: "free" }),
    ),
    el("div", { class: "bar", hidden: !view.capacity }, el("div", { class: "fill" })),
    el("p", { class: "clamped", hidden: true }, "below zero: a missed entry? (count clamped at 0)"),
    el("div", { class: "chart" }),
    el("p", { class: "outlook" }, "forecast: …"),
  );
  return card;
}

function depthOf(view, views) {
  let depth = 0;
  for (let parent = view.parent; parent; parent = views.get(parent)?.parent) depth++;
  return depth;
}

function renderSpaces(snapshot) {
  for (const entry of state.spaces.values()) {
    clearTimeout(entry.chartTimer);
    entry.chart.destroy();
  }
  state.spaces.clear();
  const byId = new Map(snapshot.spaces.map((view) => [view.id, view]));
  const cards = snapshot.spaces.map((view) => {
    const card = buildCard(view, depthOf(view, byId));
    const entry = { card, view, chart: null, chartTimer: null };
    state.spaces.set(view.id, entry);
    return card;
  });
  $("spaces").replaceChildren(...cards);
  for (const entry of state.spaces.values()) {
    entry.chart = createSpaceChart(entry.card.querySelector(".chart"), entry.view.capacity);
    paintCard(entry, entry.view);
  }
  refreshCharts();
}

async function refreshChart(id, entry) {
  const range = RANGES[state.range];
  const to = new Date();
  const from = new Date(to.getTime() - range.ms);
  const site = encodeURIComponent(state.site);
  const [history, forecast] = await Promise.all([
    getJson(`/v1/sites/${site}/spaces/${encodeURIComponent(id)}/history`, {
      from: from.toISOString(),
      to: to.toISOString(),
      step: range.step,
    }),
    getJson(`/v1/sites/${site}/forecast`, {
      space: id,
      hours: range.forecastHours,
      step: range.forecastStep,
    }),
  ]);
  const points = history.points.map((p) => ({ t: Date.parse(p.t), count: p.count }));
  // The history's last point is at most a step old; the card's live count is newer.
  points.push({ t: to.getTime(), count: entry.view.count });
  const predicted = forecast.points.map((p) => ({ ...p, t: Date.parse(p.t) }));
  entry.chart.update(points, predicted);
  const end = predicted.at(-1);
  entry.card.querySelector(".outlook").textContent = end
    ? `in ${range.forecastHours} h: ~${Math.round(end.count)} (${Math.round(end.low)}–${Math.round(end.high)}) · ${forecast.model.seasonality === "none" ? "short history" : `${forecast.model.seasonality} pattern`}`
    : "no forecast";
}

async function refreshCharts() {
  try {
    await Promise.all([...state.spaces].map(([id, entry]) => refreshChart(id, entry)));
    clearError();
  } catch (error) {
    showError(error);
  }
}

/** The forecast starts from the count now, so a changed count soon gets a new one. */
function chartSoon(id, entry) {
  entry.chartTimer ??= setTimeout(() => {
    entry.chartTimer = null;
    refreshChart(id, entry).catch(showError);
  }, CHART_AFTER_CHANGE_MS);
}

let sessionsTimer = null;
async function refreshSessions() {
  clearTimeout(sessionsTimer);
  sessionsTimer = null;
  try {
    const page = await getJson(`/v1/sites/${encodeURIComponent(state.site)}/sessions`, {
      status: state.status,
      limit: 12,
    });
    renderSessions($("sessions"), page.sessions, state.status);
  } catch (error) {
    showError(error);
  }
}

function sessionsSoon() {
  sessionsTimer ??= setTimeout(refreshSessions, SESSIONS_AFTER_CHANGE_MS);
}

async function refreshGateways() {
  try {
    const { gateways } = await getJson("/v1/gateways");
    renderGateways(
      $("gateways"),
      gateways.filter((g) => g.site === state.site || g.site === null),
    );
    $("updated").textContent = `updated ${formatTime(new Date().toISOString())}`;
  } catch (error) {
    showError(error);
  }
}

function connect() {
  state.stream?.close();
  setLive("connecting");
  state.stream = openCountStream(state.site, {
    onSnapshot: (snapshot) => renderSpaces(snapshot),
    onCount: (change) => {
      const entry = state.spaces.get(change.space);
      if (!entry) return;
      paintCard(entry, change);
      entry.chart.live(Date.parse(change.at), change.count);
      chartSoon(change.space, entry);
      entry.card.classList.remove("pulse");
      void entry.card.offsetWidth; // restart the animation
      entry.card.classList.add("pulse");
      sessionsSoon();
    },
    onState: setLive,
    onClosed: () => {
      setLive("closed");
      // A refused stream says nothing; ask the REST API why.
      getJson(`/v1/sites/${encodeURIComponent(state.site)}/spaces`).then(
        () => setTimeout(connect, 5_000),
        showError,
      );
    },
  });
}

function selectRange(range) {
  state.range = range;
  for (const button of $("range").querySelectorAll("button")) {
    button.setAttribute("aria-pressed", String(button.dataset.range === range));
  }
  setUrl();
  refreshCharts();
}

function wireControls(sites) {
  const picker = $("site");
  picker.replaceChildren(...sites.map((site) => el("option", { value: site.id }, site.id)));
  picker.value = state.site;
  picker.closest("label").hidden = sites.length < 2;
  picker.addEventListener("change", () => {
    state.site = picker.value;
    setUrl();
    connect();
    refreshSessions();
    refreshGateways();
  });
  $("range").addEventListener("click", (event) => {
    const range = event.target.closest("button")?.dataset.range;
    if (range) selectRange(range);
  });
  $("session-tabs").addEventListener("click", (event) => {
    const status = event.target.closest("button")?.dataset.status;
    if (!status) return;
    state.status = status;
    for (const tab of $("session-tabs").querySelectorAll("button")) {
      tab.setAttribute("aria-pressed", String(tab.dataset.status === status));
    }
    refreshSessions();
  });
}

function wireKeyForm() {
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    saveKey($("key-input").value.trim());
    window.location.reload();
  });
  const forget = $("forget-key");
  forget.hidden = !localStorage.getItem("lotwatch.apiKey");
  forget.addEventListener("click", () => {
    forgetKey();
    window.location.reload();
  });
}

async function main() {
  takeKeyFromUrl();
  wireKeyForm();
  let sites;
  try {
    ({ sites } = await getJson("/v1/sites"));
  } catch (error) {
    setLive("closed");
    showError(error);
    return;
  }
  if (sites.length === 0) {
    showError(new Error("the topology has no sites"));
    return;
  }
  if (!sites.some((site) => site.id === state.site)) state.site = sites[0].id;
  wireControls(sites);
  selectRange(state.range);
  connect();
  refreshSessions();
  refreshGateways();
  state.timers.push(setInterval(refreshCharts, CHARTS_EVERY_MS));
  state.timers.push(setInterval(refreshGateways, GATEWAYS_EVERY_MS));
  state.timers.push(setInterval(refreshSessions, SESSIONS_EVERY_MS));
}

main();
