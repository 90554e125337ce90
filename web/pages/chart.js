// Bar charts drawn as SVG by our own code (the ticket statistics of seed 003). Every bar
// carries its number as text, and the chart is an image whose name says what it shows, so the
// figures are there for a screen reader and in print as well as on screen.

import { h, uid } from "../ui.js";

const BAR = 26;
const GAP = 10;
const WIDTH = 360;
// About how wide a character of the 14px labels is, to leave room for the longest label.
const CHAR_WIDTH = 7.6;

/** An empty chart, an image named by its title and every bar's label and number. */
function chartImage(title, bars, width, height) {
  const id = uid("chart");
  const svg = h("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    class: "pg-chart",
    role: "img",
    "aria-labelledby": id,
    preserveAspectRatio: "xMinYMin meet",
  });
  svg.append(h("title", { id }, `${title}: ${bars.map((bar) => `${bar.label} ${bar.value}`).join(", ")}`));
  return svg;
}

/** Horizontal bars: [{label, value, tone?}] one under the other, longest = widest. */
export function horizontalBars(title, bars) {
  const height = bars.length * (BAR + GAP) + GAP;
  const largest = Math.max(1, ...bars.map((bar) => bar.value));
  const LABEL_WIDTH = Math.round(Math.max(60, ...bars.map((bar) => bar.label.length * CHAR_WIDTH)) + 12);
  const width = Math.max(WIDTH, LABEL_WIDTH + 180);
  const room = width - LABEL_WIDTH - 40;
  const svg = chartImage(title, bars, width, height);
  bars.forEach((bar, index) => {
    const y = GAP + index * (BAR + GAP);
    const width = Math.max(bar.value ? 3 : 0, Math.round((bar.value / largest) * room));
    svg.append(
      h("text", { x: LABEL_WIDTH - 8, y: y + BAR / 2, class: "pg-chart-label", "text-anchor": "end", "dominant-baseline": "middle" }, bar.label),
      h("rect", { x: LABEL_WIDTH, y, width, height: BAR, rx: 3, class: ["pg-bar", bar.tone ? `pg-tone-${bar.tone}` : null] }),
      h("text", { x: LABEL_WIDTH + width + 6, y: y + BAR / 2, class: "pg-chart-value", "dominant-baseline": "middle" }, String(bar.value)),
    );
  });
  return h("figure", { class: "pg-figure" }, h("figcaption", null, title), svg);
}

/** Vertical columns: [{label, value}] left to right (months), with a base line. */
export function columns(title, bars) {
  const height = 220;
  const base = height - 40;
  const top = 20;
  const step = 56;
  const width = Math.round(step * bars.length + 20);
  const largest = Math.max(1, ...bars.map((bar) => bar.value));
  const svg = chartImage(title, bars, width, height);
  svg.append(h("line", { x1: 10, y1: base, x2: width - 10, y2: base, class: "pg-axis" }));
  bars.forEach((bar, index) => {
    const x = 10 + index * step + step * 0.15;
    const barWidth = step * 0.7;
    const barHeight = Math.round((bar.value / largest) * (base - top - 16));
    svg.append(
      h("rect", { x, y: base - barHeight, width: barWidth, height: barHeight, rx: 2, class: "pg-bar" }),
      h("text", { x: x + barWidth / 2, y: base - barHeight - 5, class: "pg-chart-value", "text-anchor": "middle" }, String(bar.value)),
      h("text", { x: x + barWidth / 2, y: base + 18, class: "pg-chart-label", "text-anchor": "middle" }, bar.label),
    );
  });
  return h("figure", { class: "pg-figure" }, h("figcaption", null, title), h("div", { class: "pg-chart-scroll", tabindex: "0", role: "group", "aria-label": title }, svg));
}
