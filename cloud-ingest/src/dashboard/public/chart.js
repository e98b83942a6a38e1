// A space's history (solid), forecast (dashed) with its interval (band) and capacity, with uPlot.
import uPlot from "/dashboard/uplot.esm.js";

const COLORS = {
  count: "#2563eb",
  countFill: "rgba(37, 99, 235, 0.10)",
  forecast: "#9333ea",
  band: "rgba(147, 51, 234, 0.13)",
  capacity: "#dc2626",
  axis: "#64748b",
  grid: "rgba(100, 116, 139, 0.15)",
};

/** Draws the capacity as a dashed line when it is within the visible range. */
function capacityLine(capacity) {
  return (u) => {
    if (capacity === null || capacity === undefined) return;
    const [, max] = [u.scales.y.min, u.scales.y.max];
    if (capacity > max) return;
    const y = u.valToPos(capacity, "y", true);
    const { ctx } = u;
    ctx.save();
    ctx.strokeStyle = COLORS.capacity;
    ctx.lineWidth = 1.5 * uPlot.pxRatio;
    ctx.setLineDash([5 * uPlot.pxRatio, 4 * uPlot.pxRatio]);
    ctx.beginPath();
    ctx.moveTo(u.bbox.left, y);
    ctx.lineTo(u.bbox.left + u.bbox.width, y);
    ctx.stroke();
    ctx.restore();
  };
}

const hourMinute = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const weekdayHour = new Intl.DateTimeFormat(undefined, { weekday: "short", hour: "2-digit" });

/** Tick labels: 14:30 within a day, Tue 14 beyond it. */
function timeTicks(u, splits) {
  const span = u.scales.x.max - u.scales.x.min;
  const format = span > 36 * 3600 ? weekdayHour : hourMinute;
  return splits.map((s) => format.format(new Date(s * 1000)));
}

function options(width, capacity) {
  const axis = { stroke: COLORS.axis, grid: { stroke: COLORS.grid, width: 1 }, ticks: { show: false } };
  return {
    width,
    height: 150,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    scales: {
      x: { time: true },
      y: {
        range: (_u, _min, max) => {
          const top = Math.max(5, max * 1.15);
          // Show the capacity when the counts come near it, not to flatten a quiet day.
          return [0, capacity && capacity < top * 1.4 ? Math.max(top, capacity * 1.08) : top];
        },
      },
    },
    axes: [
      { ...axis, size: 28, font: "11px system-ui, sans-serif", values: timeTicks, space: 60 },
      { ...axis, size: 38, font: "11px system-ui, sans-serif" },
    ],
    series: [
      {},
      { label: "count", stroke: COLORS.count, width: 2, fill: COLORS.countFill, points: { show: false } },
      { label: "forecast", stroke: COLORS.forecast, width: 2, dash: [6, 4], points: { show: false } },
      { label: "low", stroke: "transparent", points: { show: false } },
      { label: "high", stroke: "transparent", points: { show: false } },
    ],
    bands: [{ series: [4, 3], fill: COLORS.band }],
    hooks: { draw: [capacityLine(capacity)] },
  };
}

/** Rows for uPlot: [times (s), count, forecast, low, high], the forecast starting at the last count. */
function toColumns(history, forecast) {
  const x = [];
  const count = [];
  const expected = [];
  const low = [];
  const high = [];
  for (const point of history) {
    x.push(point.t / 1000);
    count.push(point.count);
    expected.push(null);
    low.push(null);
    high.push(null);
  }
  const last = history.at(-1);
  if (last && forecast.length > 0) {
    expected[expected.length - 1] = last.count;
    low[low.length - 1] = last.count;
    high[high.length - 1] = last.count;
  }
  for (const point of forecast) {
    if (last && point.t <= last.t) continue;
    x.push(point.t / 1000);
    count.push(null);
    expected.push(point.count);
    low.push(point.low);
    high.push(point.high);
  }
  return [x, count, expected, low, high];
}

/** One chart in `container`, sized to it; `update` replaces the data, `live` extends the history. */
export function createSpaceChart(container, capacity) {
  let history = [];
  let forecast = [];
  const width = () => Math.max(200, container.clientWidth);
  const plot = new uPlot(options(width(), capacity), toColumns(history, forecast), container);
  const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: 150 }));
  resize.observe(container);
  return {
    /** `points` of history and forecast as { t (ms), count, low?, high? }. */
    update(nextHistory, nextForecast) {
      history = nextHistory;
      forecast = nextForecast;
      plot.setData(toColumns(history, forecast));
    },
    /** A count change from the stream: the history line follows it until the next refresh. */
    live(t, count) {
      const last = history.at(-1);
      if (last && t < last.t) return;
      history = [...history, { t, count }];
      plot.setData(toColumns(history, forecast));
    },
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}
