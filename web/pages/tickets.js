// /portal/tickets (seed 003): the statistics of the contact's tickets (counts by status and
// urgency, tickets per month, drawn as SVG by chart.js) and the list of tickets, most urgent
// first then oldest first (the API's order), each with its status. One request per view.

import { badge, formatDateTime, formatMonth, h, nodes, pager, table } from "../ui.js";
import { columns, horizontalBars } from "./chart.js";
import { SITES_FIELD, keepQuery, label, siteSelect, sitesOf } from "./kit.js";

const PAGE_SIZE = 20;
const STATUSES = ["OPEN", "IN_PROGRESS", "WAITING_CLIENT", "RESOLVED", "CLOSED"];
const URGENCY_TONES = { CRITICAL: "critical", HIGH: "high", NORMAL: "normal", LOW: "low" };

function query(withSites) {
  return `query PortalTickets($site: ID, $from: Date, $to: Date, $status: [TicketStatus!], $first: Int, $after: String) {
  ${withSites ? SITES_FIELD : ""}
  ticketStatistics(siteId: $site, from: $from, to: $to) {
    total byStatus { status count } byUrgency { urgency count } perMonth { month count }
  }
  tickets(first: $first, after: $after, siteId: $site, status: $status) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id number urgency status openedAt referencePerson notes site { name } department { name } } }
  }
}`;
}

/** Every document this page sends (registered in web/documents.json): with the sites and without. */
export const documents = () => [query(true), query(false)];

export async function render(main, ctx) {
  const { t } = ctx;
  const params = ctx.params;
  const filters = {
    site: params.get("site") || "",
    from: params.get("from") || "",
    to: params.get("to") || "",
    status: STATUSES.includes(params.get("status")) ? params.get("status") : "",
  };
  const canOpen = Boolean(ctx.viewer?.features?.canOpenTickets) && !ctx.preview;
  main.append(
    h(
      "div",
      { class: "pg-heading" },
      h("h1", null, t("tickets.title")),
      canOpen ? h("a", { href: "/portal/tickets/new", class: "button" }, t("tickets.open")) : null,
    ),
  );
  const form = h("form", { class: "pg-filters", "aria-label": t("tables.filters") });
  const stats = h("section", { class: "pg-stats", "aria-labelledby": "pg-stats-title" });
  const listing = h("section", { class: "pg-results", "aria-labelledby": "pg-list-title" });
  main.append(form, stats, listing);
  let sites = [];
  let stack = [];
  let cursor = null;

  async function load(withSites, statistics) {
    listing.setAttribute("aria-busy", "true");
    try {
      const data = await ctx.gql(query(withSites), {
        site: filters.site || null,
        from: filters.from || null,
        to: filters.to || null,
        status: filters.status ? [filters.status] : null,
        first: PAGE_SIZE,
        after: cursor,
      });
      if (withSites) {
        sites = sitesOf(data.sites);
        drawFilters();
      }
      if (statistics) drawStatistics(data.ticketStatistics);
      drawList(data.tickets);
    } catch (error) {
      ctx.showError(error);
    } finally {
      listing.removeAttribute("aria-busy");
    }
  }

  function drawFilters() {
    const site = siteSelect(sites, filters.site, { id: "pg-t-site", allLabel: t("tables.filter.allSites") });
    const from = h("input", { id: "pg-t-from", name: "from", type: "date", value: filters.from || null });
    const to = h("input", { id: "pg-t-to", name: "to", type: "date", value: filters.to || null });
    const status = h("select", { id: "pg-t-status", name: "status" }, h("option", { value: "" }, t("tables.filter.any")));
    for (const value of STATUSES) {
      status.append(h("option", { value, selected: filters.status === value }, label(t, "TicketStatus", value)));
    }
    form.replaceChildren(
      h("div", { class: "pg-field" }, h("label", { for: "pg-t-site" }, t("tables.filter.site")), site),
      h("div", { class: "pg-field" }, h("label", { for: "pg-t-from" }, t("tickets.filter.from")), from),
      h("div", { class: "pg-field" }, h("label", { for: "pg-t-to" }, t("tickets.filter.to")), to),
      h("div", { class: "pg-field" }, h("label", { for: "pg-t-status" }, t("tickets.filter.status")), status),
      h("div", { class: "actions" }, h("button", { type: "submit" }, t("tables.apply"))),
    );
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    for (const name of ["site", "from", "to", "status"]) {
      filters[name] = form.elements.namedItem(name).value;
    }
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(filters)) if (value) search.set(name, value);
    keepQuery("/portal/tickets", search);
    stack = [];
    cursor = null;
    load(false, true);
  });

  function drawStatistics(statistics) {
    const byStatus = statistics.byStatus.map((each) => ({ label: label(t, "TicketStatus", each.status), value: each.count }));
    const byUrgency = statistics.byUrgency.map((each) => ({
      label: label(t, "TicketUrgency", each.urgency),
      value: each.count,
      tone: URGENCY_TONES[each.urgency],
    }));
    // The last twelve months with tickets: a phone shows them without a long scroll.
    const months = statistics.perMonth.slice(-12).map((each) => ({
      label: formatMonth(each.month, ctx.lang, { month: "short", year: "2-digit" }),
      value: each.count,
    }));
    stats.replaceChildren(
      h("h2", { id: "pg-stats-title" }, t("tickets.statistics")),
      h("p", { class: "pg-total" }, t("tickets.total", { n: statistics.total })),
      h(
        "div",
        { class: "pg-charts" },
        horizontalBars(t("tickets.byStatus"), byStatus),
        horizontalBars(t("tickets.byUrgency"), byUrgency),
        months.length ? columns(t("tickets.perMonth"), months) : null,
      ),
    );
  }

  function drawList(connection) {
    const rows = nodes(connection);
    const shown = table(
      [
        { key: "number", label: t("tables.col.number"), render: (n) => `#${n.number}` },
        { key: "urgency", label: t("tables.col.urgency"), render: (n) => badge(label(t, "TicketUrgency", n.urgency), `pg-tone-${URGENCY_TONES[n.urgency]}`) },
        { key: "status", label: t("tables.col.status"), render: (n) => badge(label(t, "TicketStatus", n.status)) },
        { key: "openedAt", label: t("tables.col.openedAt"), render: (n) => formatDateTime(n.openedAt, ctx.lang) },
        { key: "site", label: t("tables.col.site"), render: (n) => n.site?.name ?? "–" },
        { key: "department", label: t("tables.col.department"), render: (n) => n.department?.name ?? "–" },
        { key: "notes", label: t("tables.col.notes"), render: (n) => h("span", { class: "pg-clip" }, n.notes) },
      ],
      rows,
      { caption: t("tickets.list"), empty: t("tickets.none") },
    );
    shown.querySelectorAll("tbody tr").forEach((row, index) => {
      if (rows[index]) row.dataset.id = rows[index].id;
    });
    const pages = pager(
      { hasPreviousPage: stack.length > 0, hasNextPage: connection.pageInfo.hasNextPage },
      () => {
        stack.push(cursor);
        cursor = connection.pageInfo.endCursor;
        load(false, false);
      },
      () => {
        cursor = stack.pop() ?? null;
        load(false, false);
      },
    );
    listing.replaceChildren(
      h("h2", { id: "pg-list-title" }, t("tickets.list")),
      h("p", { class: "pg-count" }, t("tables.count", { n: connection.totalCount })),
      shown,
      pages,
    );
  }

  await load(true, true);
}
