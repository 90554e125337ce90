// Small pieces the pages helper's pages share (tables, tickets, ticket form, interventions,
// booking): the contact's sites as a <select>, the organization's days and months as the
// API's DateTime values, enum labels, API field errors, idempotency keys. The DOM helpers themselves are the
// shell's (web/ui.js); this file only holds what is specific to these pages.

import { dayOf, h, zonedDayStart, zonedIso } from "../ui.js";

// Only the time of day, in the organization's zone (the shell's helper, re-exported for the pages).
export { formatTime } from "../ui.js";

// The contact's sites, by client then name, for the filters and forms of these pages.
export const SITES_FIELD = "sites(first: 100) { edges { node { id name city client { id name } } } }";

/** The sites of a `sites` connection, sorted by client name then site name. */
export function sitesOf(connection) {
  const sites = (connection?.edges ?? []).map((edge) => edge.node);
  return sites.sort(
    (a, b) =>
      (a.client?.name ?? "").localeCompare(b.client?.name ?? "") || a.name.localeCompare(b.name),
  );
}

/**
 * A <select> of sites grouped by client. `allLabel` adds a first "all sites" option (filters);
 * without it a first empty option asks the user to choose (forms).
 */
export function siteSelect(sites, selected, { id, name = "site", allLabel, chooseLabel }) {
  const select = h("select", { id, name });
  select.append(h("option", { value: "" }, allLabel ?? chooseLabel ?? ""));
  const groups = new Map();
  for (const site of sites) {
    const client = site.client?.name ?? "";
    if (!groups.has(client)) groups.set(client, []);
    groups.get(client).push(site);
  }
  const grouped = groups.size > 1;
  for (const [client, members] of groups) {
    const parent = grouped ? h("optgroup", { label: client }) : select;
    for (const site of members) {
      const option = h("option", { value: site.id }, site.city ? `${site.name} (${site.city})` : site.name);
      if (site.id === selected) option.selected = true;
      parent.append(option);
    }
    if (grouped) select.append(parent);
  }
  return select;
}

function pad(value) {
  return String(value).padStart(2, "0");
}

// Days and months are the organization's (viewer.timeZone, see web/ui.js), not the browser's:
// "from 1 November" means midnight in Rome for a contact whose laptop is set to New York.

/** An instant as the API's DateTime, in the organization's zone: 2026-12-01T00:00:00+01:00. */
export function isoWithOffset(moment) {
  return zonedIso(moment);
}

/** The instant a day given as YYYY-MM-DD, `plusDays` later, begins in the organization's zone. */
export function dayStart(day, plusDays = 0) {
  return zonedDayStart(day, plusDays);
}

/** Today as YYYY-MM-DD in the organization's zone. */
export function today() {
  return dayOf(new Date());
}

/** A month as YYYY-MM from `?month=`, or the organization's current one when absent or malformed. */
export function monthOf(value) {
  if (value && /^\d{4}-(0[1-9]|1[0-2])$/.test(value)) return value;
  return today().slice(0, 7);
}

/** The month `delta` months after YYYY-MM (calendar arithmetic, no zone involved). */
export function shiftMonth(month, delta) {
  const [year, number] = month.split("-").map(Number);
  const moved = new Date(Date.UTC(year, number - 1 + delta, 1));
  return `${moved.getUTCFullYear()}-${pad(moved.getUTCMonth() + 1)}`;
}

/** The label of an enum value, e.g. label(t, "TicketStatus", "OPEN"). */
export function label(t, type, value) {
  return value ? t(`lists.enum.${type}.${value}`) : "";
}

/** A fresh key for one attempt of a write; the same key is sent again when it is retried. */
export function newKey() {
  return crypto.randomUUID();
}

/** The first error of an ApiError with this code, if any. */
export function errorWithCode(error, code) {
  return (error?.errors ?? []).find((each) => each.extensions?.code === code) ?? null;
}

/**
 * The API's message for a field in the page's language where it is a known one
 * ("referencePerson: is required"), the API's own words otherwise.
 */
export function fieldMessage(t, message) {
  const text = message.includes(": ") ? message.slice(message.indexOf(": ") + 2) : message;
  const known = {
    "is required": "lists.error.required",
    "choose one of the departments offered": "lists.error.department",
    "it is too late to move this appointment": "book.refused.late",
    "this appointment cannot be moved in its current state": "book.refused.status",
    "appointments start on a quarter hour": "book.error.grid",
    "is sooner than the minimum notice for a booking": "book.error.tooSoon",
    "is further ahead than bookings are open": "book.error.tooLate",
  };
  const key = known[text];
  if (key) return t(key);
  const limit = /^use at most (\d+) characters$/.exec(text);
  return limit ? t("lists.error.tooLong", { max: limit[1] }) : text;
}

/** Replaces the address bar's query without a new page (filters kept on reload and back). */
export function keepQuery(path, params) {
  const query = params.toString();
  history.replaceState(history.state, "", query ? `${path}?${query}` : path);
}

/**
 * What a write that got no usable answer says next to its form: the failure (network or
 * server) and the request id to quote; the form stays as typed and its button retries.
 */
export function failureText(t, error) {
  const parts = [error?.network ? t("error.network") : t("error.server")];
  const requestId = error?.requestId ?? error?.extensions?.requestId;
  if (requestId) parts.push(t("error.requestId", { id: requestId }));
  return parts.join(" ");
}

/**
 * Whether the contact may move the visit, as the API decides it (the activity type's allowed
 * statuses and minimum notice): null when it may, else the text key of the reason.
 */
export function rescheduleRefusal(appointment, now = new Date()) {
  const type = appointment.activityType;
  if (!type || !type.rescheduleAllowedStatuses.length) return "book.refused.type";
  if (!type.rescheduleAllowedStatuses.includes(appointment.status)) return "book.refused.status";
  const latest = new Date(appointment.startsAt).getTime() - type.rescheduleMinLeadHours * 3600 * 1000;
  if (now.getTime() > latest) return "book.refused.late";
  return null;
}
