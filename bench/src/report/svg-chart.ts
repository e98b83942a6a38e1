import type { Curve } from "../harness/types.js";
import { formatCompact } from "./format.js";

const PANEL_WIDTH = 420;
const PANEL_HEIGHT = 280;
const MARGIN = { left: 64, right: 16, top: 36, bottom: 48 };
const COLUMNS = 2;
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];

/**
 * Every scaling curve as a panel of one SVG: the median as a line with points, min to max as a
 * whisker. Hand-written so the report needs no charting dependency.
 */
export function renderCurvesSvg(curves: readonly Curve[]): string {
  const rows = Math.max(1, Math.ceil(curves.length / COLUMNS));
  const width = PANEL_WIDTH * Math.min(COLUMNS, Math.max(1, curves.length));
  const height = PANEL_HEIGHT * rows;
  const panels = curves.map((curve, index) =>
    renderPanel(curve, (index % COLUMNS) * PANEL_WIDTH, Math.floor(index / COLUMNS) * PANEL_HEIGHT),
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...panels,
    "</svg>",
    "",
  ].join("\n");
}

function renderPanel(curve: Curve, offsetX: number, offsetY: number): string {
  const plotWidth = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const points = curve.series.flatMap((series) => series.points);
  const xs = points.map((point) => point.x).filter((x) => !curve.logX || x > 0);
  const ys = points.map((point) => point.summary.max).filter(Number.isFinite);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const yMax = niceCeiling(Math.max(...ys, 0));
  const toX = (x: number) => {
    if (xMax === xMin) return plotWidth / 2;
    const ratio = curve.logX
      ? (Math.log10(x) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))
      : (x - xMin) / (xMax - xMin);
    return ratio * plotWidth;
  };
  const toY = (y: number) => plotHeight - (yMax === 0 ? 0 : (y / yMax) * plotHeight);
  const parts: string[] = [
    `<g transform="translate(${offsetX + MARGIN.left},${offsetY + MARGIN.top})">`,
    `<text x="${plotWidth / 2}" y="-16" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(curve.title)}</text>`,
    `<line x1="0" y1="${plotHeight}" x2="${plotWidth}" y2="${plotHeight}" stroke="#333"/>`,
    `<line x1="0" y1="0" x2="0" y2="${plotHeight}" stroke="#333"/>`,
  ];
  for (const x of [...new Set(xs)]) {
    const px = round(toX(x));
    parts.push(`<line x1="${px}" y1="${plotHeight}" x2="${px}" y2="${plotHeight + 4}" stroke="#333"/>`);
    parts.push(`<text x="${px}" y="${plotHeight + 16}" text-anchor="middle">${formatCompact(x)}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const value = (yMax / 4) * i;
    const py = round(toY(value));
    parts.push(`<line x1="0" y1="${py}" x2="${plotWidth}" y2="${py}" stroke="#eee"/>`);
    parts.push(`<text x="-6" y="${py + 4}" text-anchor="end">${formatCompact(value)}</text>`);
  }
  parts.push(
    `<text x="${plotWidth / 2}" y="${plotHeight + 36}" text-anchor="middle">${escapeXml(curve.xLabel)}</text>`,
    `<text transform="translate(-50,${plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(curve.yLabel)}</text>`,
  );
  curve.series.forEach((series, index) => {
    const color = COLORS[index % COLORS.length] as string;
    const drawn = series.points.filter(
      (point) => Number.isFinite(point.summary.median) && (!curve.logX || point.x > 0),
    );
    const path = drawn.map((point) => `${round(toX(point.x))},${round(toY(point.summary.median))}`).join(" ");
    if (drawn.length > 1) {
      parts.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    }
    for (const point of drawn) {
      const px = round(toX(point.x));
      parts.push(
        `<line x1="${px}" y1="${round(toY(point.summary.min))}" x2="${px}" y2="${round(toY(point.summary.max))}" stroke="${color}"/>`,
        `<circle cx="${px}" cy="${round(toY(point.summary.median))}" r="3" fill="${color}"/>`,
      );
    }
    if (curve.series.length > 1) {
      const ly = 12 + index * 14;
      parts.push(
        `<rect x="${plotWidth - 120}" y="${ly - 8}" width="10" height="10" fill="${color}"/>`,
        `<text x="${plotWidth - 106}" y="${ly + 1}">${escapeXml(series.name)}</text>`,
      );
    }
  });
  parts.push("</g>");
  return parts.join("\n");
}

/** The next 1, 2 or 5 × 10^n at or above the value, so axis ticks are round. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
