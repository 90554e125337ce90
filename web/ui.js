// Small DOM helpers every page uses. Elements are built with h(), never from HTML strings,
// so text from the API can never become markup.
import { language, t } from "./i18n.js";

let counter = 0;

/** A unique id for labels and aria references. */
export function uid(prefix = "id") {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * h("a", { href: "/portal", class: "brand", onClick: fn }, "text", child, [more]): an element.
 * Attributes: class, for (htmlFor), on<Event> listeners, boolean attributes as true/false,
 * null/undefined/false skipped. Children: strings, numbers, nodes, arrays, null skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const svg = tag === "svg" || SVG_TAGS.has(tag);
  const node = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "class") {
      node.setAttribute("class", Array.isArray(value) ? value.filter(Boolean).join(" ") : value);
    } else if (name === "for") {
      node.setAttribute("for", value);
    } else if (name === "value" && !svg) {
      node.value = value;
    } else if (name === "checked" || name === "selected") {
      node[name] = Boolean(value);
    } else if (value === true) {
      node.setAttribute(name, "");
    } else {
      node.setAttribute(name, String(value));
    }
  }
  append(node, children);
  return node;
}

const SVG_TAGS = new Set(["g", "rect", "path", "line", "circle", "text", "title", "polyline", "tspan"]);

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : String(child));
  }
}

/** Empties a node and puts children in it. */
export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/**
 * A labelled form field: <div class="field"><label/>input<p class="field-error"/></div>.
 * The error sits next to its input, announced through aria-describedby and aria-invalid.
 * The returned element has setError(message|null).
 */
export function field(label, input, error = null, hint = null) {
  if (!input.id) input.id = uid("field");
  const errorId = `${input.id}-error`;
  const hintId = hint ? `${input.id}-hint` : null;
  const message = h("p", { class: "field-error", id: errorId, hidden: true });
  const wrapper = h(
    "div",
    { class: "field" },
    h("label", { for: input.id }, label),
    hint ? h("p", { class: "field-hint", id: hintId }, hint) : null,
    input,
    message,
  );
  const describedBy = [hintId, errorId].filter(Boolean).join(" ");
  input.setAttribute("aria-describedby", describedBy);
  wrapper.setError = (text) => {
    if (text) {
      message.textContent = text;
      message.hidden = false;
      input.setAttribute("aria-invalid", "true");
      wrapper.classList.add("invalid");
    } else {
      message.textContent = "";
      message.hidden = true;
      input.removeAttribute("aria-invalid");
      wrapper.classList.remove("invalid");
    }
  };
  wrapper.setError(error);
  return wrapper;
}

/**
 * Shows an ApiError's field errors next to the inputs named like the error's field (the
 * input's name, e.g. "password" or "input.siteId" -> name "siteId"); returns the messages no
 * field took. Nothing typed is touched.
 */
export function showFieldErrors(form, apiError) {
  clearFieldErrors(form);
  const left = [];
  let first = null;
  for (const error of apiError.errors || []) {
    const name = error.extensions && error.extensions.field;
    const short = name ? String(name).split(".").pop() : null;
    const input = short ? form.querySelector(`[name="${CSS.escape(short)}"]`) : null;
    const wrapper = input && input.closest(".field");
    if (wrapper && wrapper.setError) {
      if (!wrapper.classList.contains("invalid")) wrapper.setError(error.message);
      first = first || input;
    } else {
      left.push(error.message);
    }
  }
  if (first) first.focus();
  return left;
}

export function clearFieldErrors(form) {
  for (const wrapper of form.querySelectorAll(".field.invalid")) {
    if (wrapper.setError) wrapper.setError(null);
  }
}

/** Runs `send()` when `form` is submitted, after clearing its field errors and `message`. */
export function onSubmit(form, message, send) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    message.clear();
    return send();
  });
}

/** A form-level message (role=alert), hidden while empty. */
export function formMessage() {
  const node = h("div", { class: "form-message", role: "alert", hidden: true });
  node.show = (text, kind = "error") => {
    node.className = `form-message ${kind}`;
    node.replaceChildren(...(Array.isArray(text) ? text : [text]));
    node.hidden = !text;
  };
  node.clear = () => {
    node.replaceChildren();
    node.hidden = true;
  };
  return node;
}

/**
 * A table: columns [{ key, label, render?(row) -> node|string, numeric? }], rows [objects].
 * Wrapped in a focusable, labelled region (its caption, else `label`). On a phone each row is
 * shown as a card of "label: value" lines (`stack: false` keeps the table, scrolling sideways).
 */
export function table(columns, rows, { caption = null, label = null, empty = null, stack = true } = {}) {
  const head = h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.numeric ? "num" : null }, c.label))));
  const body = h(
    "tbody",
    {},
    rows.length
      ? rows.map((row) =>
          h(
            "tr",
            {},
            columns.map((c) =>
              h("td", { class: c.numeric ? "num" : null, "data-label": c.label }, c.render ? c.render(row) : cell(row[c.key])),
            ),
          ),
        )
      : h("tr", {}, h("td", { colspan: columns.length, class: "empty" }, empty || t("common.empty"))),
  );
  const captionNode = caption ? h("caption", {}, caption) : null;
  const name = caption || label || t("common.table");
  return h(
    "div",
    { class: ["table-wrap", stack ? "stack" : null], tabindex: "0", role: "region", "aria-label": name },
    h("table", {}, captionNode, head, body),
  );
}

function cell(value) {
  if (value === null || value === undefined || value === "") return "–";
  return String(value);
}

/** Previous / next buttons for a connection's pageInfo. */
export function pager(pageInfo, onNext, onPrev) {
  const info = pageInfo || {};
  return h(
    "nav",
    { class: "pager", "aria-label": t("common.pages") },
    h("button", { type: "button", class: "secondary", disabled: !info.hasPreviousPage, onClick: onPrev }, t("common.previous")),
    h("button", { type: "button", class: "secondary", disabled: !info.hasNextPage, onClick: onNext }, t("common.next")),
  );
}

// Dates and times are shown in the organization's time zone (viewer.timeZone), whatever the
// browser's: a visit at 08:30 in Rome reads 08:30 on a laptop set to New York too, and a visit
// at 23:30 UTC belongs to the next day in Europe/Rome. Until the viewer is known (the pages
// before login show no times) the browser's zone stands in.
let zone = null;

/** Called by the shell once the viewer is read (null after logging out). */
export function setTimeZone(name) {
  zone = name || null;
}

/** The IANA zone the pages show times in. */
export function timeZone() {
  return zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A calendar day "2026-11-23" as noon UTC, formatted in UTC: a day (an invoice's date, a
 * contract's expiry) is the same day everywhere and never shifts with a zone.
 */
function calendarDay(value) {
  const [, year, month, date] = DAY.exec(value).map(Number);
  return new Date(Date.UTC(year, month - 1, date, 12));
}

/** "2026-11-23" (a calendar day, never shifted) or an ISO date-time (in the organization's zone). */
export function formatDate(value, lang = language(), options = { dateStyle: "medium" }) {
  if (!value) return "–";
  if (DAY.test(value)) return new Intl.DateTimeFormat(lang, { ...options, timeZone: "UTC" }).format(calendarDay(value));
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(lang, { ...options, timeZone: timeZone() }).format(date);
}

export function formatDateTime(value, lang = language()) {
  return formatDate(value, lang, { dateStyle: "medium", timeStyle: "short" });
}

/** Only the time of day of an ISO date-time, in the organization's zone. */
export function formatTime(value, lang = language()) {
  if (!value) return "";
  return new Intl.DateTimeFormat(lang, { timeStyle: "short", timeZone: timeZone() }).format(new Date(value));
}

/** "2026-12" (or a month's first day, "2026-12-01") -> "dicembre 2026". */
export function formatMonth(value, lang = language(), options = { month: "long", year: "numeric" }) {
  if (!value) return "–";
  const [year, month] = String(value).split("-").map(Number);
  if (!year || !month) return String(value);
  return new Intl.DateTimeFormat(lang, { ...options, timeZone: "UTC" }).format(new Date(Date.UTC(year, month - 1, 15, 12)));
}

function pad(value) {
  return String(value).padStart(2, "0");
}

/** The organization's wall clock at an instant: { year, month (1-12), day, hour, minute, second }. */
function wallClock(instant) {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone: timeZone(),
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  const parts = {};
  for (const part of format.formatToParts(instant)) if (part.type !== "literal") parts[part.type] = Number(part.value);
  return parts;
}

/** Minutes the organization's zone is ahead of UTC at an instant (+60 in Rome in winter). */
function offsetMinutes(instant) {
  const clock = wallClock(instant);
  const asUtc = Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60000);
}

/** The calendar day (YYYY-MM-DD) an ISO date-time or Date falls on in the organization's zone. */
export function dayOf(value) {
  const clock = wallClock(value instanceof Date ? value : new Date(value));
  return `${clock.year}-${pad(clock.month)}-${pad(clock.day)}`;
}

/** The instant a day (YYYY-MM-DD), `plusDays` later, begins in the organization's zone. */
export function zonedDayStart(day, plusDays = 0) {
  const [year, month, date] = day.split("-").map(Number);
  const wall = Date.UTC(year, month - 1, date + plusDays);
  // The offset at the guess, then at the answer: right across a change of daylight saving.
  let instant = new Date(wall - offsetMinutes(new Date(wall)) * 60000);
  instant = new Date(wall - offsetMinutes(instant) * 60000);
  return instant;
}

/** An instant as the API's DateTime in the organization's zone: 2026-12-01T00:00:00+01:00. */
export function zonedIso(instant) {
  const clock = wallClock(instant);
  const minutes = offsetMinutes(instant);
  const sign = minutes >= 0 ? "+" : "-";
  const offset = `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
  return (
    `${clock.year}-${pad(clock.month)}-${pad(clock.day)}` +
    `T${pad(clock.hour)}:${pad(clock.minute)}:${pad(clock.second)}${offset}`
  );
}

/** Amounts come in cents: 123456, "EUR" -> "1.234,56 €" in Italian. */
export function formatMoney(cents, currency = "EUR", lang = language()) {
  if (cents === null || cents === undefined) return "–";
  try {
    return new Intl.NumberFormat(lang, { style: "currency", currency: currency || "EUR" }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency || ""}`.trim();
  }
}

/**
 * A document's links: its name opens it in a new tab (view), the download button saves it.
 * downloadUrl is a signed same-origin link for this session, valid a few minutes.
 */
export function documentLink(doc) {
  if (!doc || !doc.downloadUrl) return h("span", { class: "doc" }, (doc && doc.fileName) || "–");
  const kind = doc.kind ? t(`document.kind.${doc.kind}`) : null;
  const name = doc.fileName || t("document.file");
  return h(
    "span",
    { class: "doc" },
    h("a", { href: doc.downloadUrl, target: "_blank", rel: "noopener", class: "doc-view" }, kind || name),
    kind ? h("span", { class: "doc-name" }, name) : null,
    h(
      "a",
      { href: doc.downloadUrl, download: doc.fileName || "", class: "doc-download", "aria-label": t("document.downloadNamed", { name }) },
      t("document.download"),
    ),
  );
}

/** The nodes of a connection ({ edges: [{ node }] }), [] for null. */
export function nodes(connection) {
  return connection && connection.edges ? connection.edges.map((edge) => edge.node) : [];
}

/** A status or enum shown as a small badge; `kind` picks its colour class. */
export function badge(text, kind = "") {
  return h("span", { class: ["badge", kind] }, text);
}
