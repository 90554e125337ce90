// /portal/interventions?month=YYYY-MM (seed 002): the month's visits as a calendar and as a
// list, each with its activity's portal title and description (the API fills in their
// substitution codes for the visit). One request per month (calendar(from, to)). A visit the
// contact may move links to the booking page; one it may not says why.

import { badge, dayOf, formatDate, formatMonth, h } from "../ui.js";
import { SITES_FIELD, dayStart, formatTime, isoWithOffset, keepQuery, label, monthOf, rescheduleRefusal, shiftMonth, siteSelect, sitesOf, today } from "./kit.js";

const CALENDAR = `query PortalInterventions($from: DateTime!, $to: DateTime!, $site: ID) {
  ${SITES_FIELD}
  calendar(from: $from, to: $to, siteId: $site) {
    id startsAt endsAt status origin
    technician { displayName }
    site { id name }
    activityType { name portalTitle portalDescription portalLongDescription rescheduleAllowedStatuses rescheduleMinLeadHours }
    rescheduledBy { id startsAt }
  }
}`;

export async function render(main, ctx) {
  const { t, lang } = ctx;
  const month = monthOf(ctx.params.get("month"));
  const siteId = ctx.params.get("site") || "";
  const [year, number] = month.split("-").map(Number);
  // The month as the organization counts it: from its first midnight to the next month's,
  // in the organization's zone (a visit at 23:30 UTC on the 31st may be in the next month).
  const first = dayStart(`${month}-01`);
  const next = dayStart(`${shiftMonth(month, 1)}-01`);
  const data = await ctx.gql(CALENDAR, { from: isoWithOffset(first), to: isoWithOffset(next), site: siteId || null });
  const sites = sitesOf(data.sites);
  const visits = [...data.calendar].sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  const canBook = Boolean(ctx.viewer?.features?.canBookAppointments) && !ctx.preview;

  const link = (target, siteValue = siteId) => {
    const query = new URLSearchParams({ month: target });
    if (siteValue) query.set("site", siteValue);
    return `/portal/interventions?${query}`;
  };
  main.append(h("h1", null, t("interventions.title")));

  const site = siteSelect(sites, siteId, { id: "pg-i-site", allLabel: t("tables.filter.allSites") });
  site.addEventListener("change", () => ctx.navigate(link(month, site.value)));
  main.append(
    h(
      "div",
      { class: "pg-month-bar" },
      h("div", { class: "pg-field" }, h("label", { for: "pg-i-site" }, t("tables.filter.site")), site),
      h(
        "nav",
        { class: "pg-month-nav", "aria-label": t("interventions.months") },
        h("a", { href: link(shiftMonth(month, -1)), class: "button secondary", rel: "prev" }, h("span", { "aria-hidden": "true" }, "‹ "), h("span", { class: "pg-nav-text" }, t("interventions.previous"))),
        h("h2", { class: "pg-month", id: "pg-month-title", "aria-live": "polite" }, formatMonth(month, lang)),
        h("a", { href: link(shiftMonth(month, 1)), class: "button secondary", rel: "next" }, h("span", { class: "pg-nav-text" }, t("interventions.next")), h("span", { "aria-hidden": "true" }, " ›")),
      ),
    ),
  );
  keepQuery("/portal/interventions", new URLSearchParams(link(month).split("?")[1]));

  // The calendar: weeks from Monday, the month's days, each with its visits.
  const byDay = new Map();
  for (const visit of visits) {
    const key = dayOf(visit.startsAt);
    if (!byDay.has(key)) byDay.set(key, []);
    byDay.get(key).push(visit);
  }
  // Week days and the month's grid are calendar arithmetic, done in UTC where no zone shifts.
  const weekday = new Intl.DateTimeFormat(lang, { weekday: "short", timeZone: "UTC" });
  const weekdayLong = new Intl.DateTimeFormat(lang, { weekday: "long", timeZone: "UTC" });
  const head = h("tr");
  for (let index = 0; index < 7; index += 1) {
    const day = new Date(Date.UTC(2024, 0, 1 + index, 12)); // 1 January 2024 was a Monday
    head.append(h("th", { scope: "col" }, h("abbr", { title: weekdayLong.format(day) }, weekday.format(day))));
  }
  const body = h("tbody");
  const lead = (new Date(Date.UTC(year, number - 1, 1)).getUTCDay() + 6) % 7;
  const days = new Date(Date.UTC(year, number, 0)).getUTCDate();
  let row = h("tr");
  for (let blank = 0; blank < lead; blank += 1) row.append(h("td", { class: "pg-out" }));
  const todayKey = today();
  for (let date = 1; date <= days; date += 1) {
    const key = `${month}-${String(date).padStart(2, "0")}`;
    const items = byDay.get(key) ?? [];
    const cell = h(
      "td",
      { class: ["pg-day", items.length ? "pg-busy" : null, key === todayKey ? "pg-today" : null], "data-day": key },
      h("span", { class: "pg-day-number" }, String(date)),
      items.length
        ? h("span", { class: "pg-day-count" }, h("span", { "aria-hidden": "true" }, String(items.length)), h("span", { class: "pg-sr" }, t("interventions.count", { n: items.length })))
        : null,
      items.length
        ? h("ul", { class: "pg-day-items" }, items.map((visit) => h("li", { class: `pg-status-${visit.status.toLowerCase()}` }, h("a", { href: `#visit-${visit.id}` }, `${formatTime(visit.startsAt, lang)} ${visit.activityType?.portalTitle ?? ""}`))))
        : null,
    );
    row.append(cell);
    if ((lead + date) % 7 === 0) {
      body.append(row);
      row = h("tr");
    }
  }
  if (row.children.length) {
    while (row.children.length < 7) row.append(h("td", { class: "pg-out" }));
    body.append(row);
  }
  main.append(
    h(
      "div",
      { class: "pg-calendar-wrap" },
      h("table", { class: "pg-calendar" }, h("caption", { class: "pg-sr" }, t("interventions.calendarOf", { month: formatMonth(month, lang) })), h("thead", null, head), body),
    ),
  );

  // The list: the same visits, one card each with the activity's portal texts.
  const list = h("section", { class: "pg-visits", "aria-labelledby": "pg-visits-title" }, h("h2", { id: "pg-visits-title" }, t("interventions.list")));
  if (!visits.length) list.append(h("p", { class: "pg-empty" }, t("interventions.none")));
  const cards = h("ol", { class: "pg-cards" });
  for (const visit of visits) {
    const type = visit.activityType;
    const refusal = rescheduleRefusal(visit);
    let action = null;
    // Kinds of visit that are never moved on the portal say nothing here (the booking page
    // says why if reached); the others offer the move or say why not now.
    if (canBook && visit.status !== "CANCELLED" && visit.status !== "DONE" && refusal !== "book.refused.type") {
      action = refusal
        ? h("p", { class: "pg-refusal" }, t(refusal, { hours: type?.rescheduleMinLeadHours ?? 0 }))
        : h("a", { href: `/portal/book?reschedule=${encodeURIComponent(visit.id)}`, class: "button secondary" }, t("interventions.reschedule"));
    }
    cards.append(
      h(
        "li",
        { class: "pg-card", id: `visit-${visit.id}`, "data-id": visit.id },
        h(
          "div",
          { class: "pg-card-head" },
          h("h3", null, type?.portalTitle || type?.name || t("interventions.visit")),
          badge(label(t, "AppointmentStatus", visit.status), `pg-status-${visit.status.toLowerCase()}`),
        ),
        h(
          "p",
          { class: "pg-when" },
          `${formatDate(visit.startsAt, lang, { dateStyle: "full" })}, ${formatTime(visit.startsAt, lang)}–${formatTime(visit.endsAt, lang)}`,
        ),
        h(
          "p",
          { class: "pg-meta" },
          [visit.site?.name, visit.technician ? t("interventions.technician", { name: visit.technician.displayName }) : t("interventions.unassigned")].filter(Boolean).join(" · "),
        ),
        type?.portalDescription ? h("p", { class: "pg-description" }, type.portalDescription) : null,
        type?.portalLongDescription
          ? h("details", null, h("summary", null, t("interventions.more")), h("p", { class: "pg-description" }, type.portalLongDescription))
          : null,
        visit.rescheduledBy
          ? h("p", { class: "pg-meta" }, t("interventions.movedTo", { when: formatDate(visit.rescheduledBy.startsAt, lang, { dateStyle: "medium", timeStyle: "short" }) }))
          : null,
        action,
      ),
    );
  }
  if (visits.length) list.append(cards);
  main.append(list);
}
