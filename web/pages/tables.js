// /portal/tables/<list>: the tables of seed 004's left menu, for every site the contact sees,
// with the list's own filters (exactly the arguments of the portal view's root field), cursor
// paging and a CSV download of the table as filtered (GET /export/<list>.csv with the same
// filters as query parameters, so the file holds the rows the table pages through).

import { downloadCsv } from "../api.js";
import { documentLink, formatDate, formatDateTime, formatMoney, formatMonth, h, pager, table } from "../ui.js";
import {
  SITES_FIELD,
  dayStart,
  formatTime,
  isoWithOffset,
  keepQuery,
  label,
  siteSelect,
  sitesOf,
} from "./kit.js";

const PAGE_SIZE = 25;
const DOCUMENTS = "documents(first: 3) { edges { node { id kind fileName downloadUrl } } }";

function documentsCell(node) {
  const links = (node.documents?.edges ?? []).map((edge) => documentLink(edge.node));
  return links.length ? h("span", { class: "pg-docs" }, ...links) : "";
}

function place(node) {
  return node.site?.name ?? node.client?.name ?? "";
}

// A revision's "when": done on a day, called off (kept, marked), or planned for a day.
function revisionWhen(node, ctx) {
  if (node.performedAt) return formatDate(node.performedAt, ctx.lang);
  if (node.cancelledAt) return ctx.t("tables.cancelled", { date: formatDate(node.cancelledAt, ctx.lang) });
  if (node.plannedDate) return ctx.t("tables.planned", { date: formatDate(node.plannedDate, ctx.lang) });
  return "";
}

function money(node, lang) {
  return formatMoney(node.totalCents, node.currency, lang);
}

// Each list: its root field, the export of the same name, the filters it takes (only those its
// root field has), the fields it reads and the columns it shows. `newestFirst` lists are in
// ascending order in the API and are paged from the end (last/before), newest on top.
export const LISTS = {
  worksheets: {
    field: "workSheets",
    period: "Date",
    node: `id number date description signedBy signedAt site { name } client { name } ${DOCUMENTS}`,
    columns: [
      ["number", (n) => n.number],
      ["date", (n, ctx) => formatDate(n.date, ctx.lang)],
      ["site", place],
      ["description", (n) => n.description],
      ["signedBy", (n) => n.signedBy ?? ""],
      ["documents", documentsCell],
    ],
  },
  timesheets: {
    field: "timesheetEntries",
    period: "DateTime",
    newestFirst: true,
    node: "id clockIn clockOut durationMinutes technician { displayName } site { name }",
    columns: [
      ["date", (n, ctx) => formatDate(n.clockIn, ctx.lang)],
      ["clockIn", (n, ctx) => formatTime(n.clockIn, ctx.lang)],
      ["clockOut", (n, ctx) => formatTime(n.clockOut, ctx.lang)],
      ["duration", (n, ctx) => (n.durationMinutes == null ? "" : ctx.t("tables.minutes", { n: n.durationMinutes }))],
      ["technician", (n) => n.technician?.displayName ?? ""],
      ["site", place],
    ],
  },
  contracts: {
    field: "contracts",
    feature: "canViewContracts",
    expiring: true,
    node: `id number kind description startsOn expiresOn daysToExpiry site { name } client { name } ${DOCUMENTS}`,
    columns: [
      ["number", (n) => n.number],
      ["kind", (n) => n.kind],
      ["site", place],
      ["startsOn", (n, ctx) => formatDate(n.startsOn, ctx.lang)],
      ["expiresOn", (n, ctx) => formatDate(n.expiresOn, ctx.lang)],
      ["documents", documentsCell],
    ],
  },
  revisions: {
    field: "revisions",
    period: "Date",
    choices: { result: ["RevisionResult", ["PASS", "PASS_WITH_REMARKS", "FAIL"], false] },
    node: `id dueMonth plannedDate performedAt cancelledAt result outcomes { compliant nonCompliant } site { name } ${DOCUMENTS}`,
    columns: [
      ["dueMonth", (n, ctx) => formatMonth(n.dueMonth, ctx.lang)],
      ["site", place],
      ["performedAt", revisionWhen],
      ["result", (n, ctx) => label(ctx.t, "RevisionResult", n.result)],
      ["outcomes", (n, ctx) => (n.performedAt ? ctx.t("tables.outcomes", { ok: n.outcomes.compliant, ko: n.outcomes.nonCompliant }) : "")],
      ["documents", documentsCell],
    ],
  },
  equipment: {
    field: "equipment",
    search: true,
    node: "id kind model serialNumber location installedOn site { name } lastResult { outcome performedAt }",
    columns: [
      // The piece's own page (the one its QR label opens).
      ["kind", (n) => h("a", { href: `/portal/equipment/${encodeURIComponent(n.id)}` }, n.kind)],
      ["model", (n) => n.model ?? ""],
      ["serialNumber", (n) => n.serialNumber ?? ""],
      ["site", place],
      ["location", (n) => n.location ?? ""],
      ["lastResult", (n, ctx) => (n.lastResult ? `${label(ctx.t, "ItemOutcome", n.lastResult.outcome)} (${formatDate(n.lastResult.performedAt, ctx.lang)})` : "")],
    ],
  },
  invoices: {
    field: "invoices",
    feature: "canViewInvoices",
    period: "Date",
    choices: { status: ["InvoiceStatus", ["CLOSED", "PAID"], true] },
    node: `id number issuedOn dueOn paidOn status totalCents currency site { name } client { name } ${DOCUMENTS}`,
    columns: [
      ["number", (n) => n.number],
      ["issuedOn", (n, ctx) => formatDate(n.issuedOn, ctx.lang)],
      ["site", place],
      ["dueOn", (n, ctx) => formatDate(n.dueOn, ctx.lang)],
      ["status", (n, ctx) => label(ctx.t, "InvoiceStatus", n.status)],
      ["total", (n, ctx) => money(n, ctx.lang), true],
      ["documents", documentsCell],
    ],
  },
  quotes: {
    field: "quotes",
    period: "Date",
    choices: { status: ["QuoteStatus", ["SENT", "ACCEPTED", "DECLINED", "EXPIRED"], true] },
    node: `id number title issuedOn validUntil status totalCents currency site { name } client { name } ${DOCUMENTS}`,
    columns: [
      ["number", (n) => n.number],
      ["title", (n) => n.title],
      ["issuedOn", (n, ctx) => formatDate(n.issuedOn, ctx.lang)],
      ["site", place],
      ["status", (n, ctx) => label(ctx.t, "QuoteStatus", n.status)],
      ["total", (n, ctx) => money(n, ctx.lang), true],
      ["documents", documentsCell],
    ],
  },
  tickets: {
    field: "tickets",
    choices: {
      status: ["TicketStatus", ["OPEN", "IN_PROGRESS", "WAITING_CLIENT", "RESOLVED", "CLOSED"], true],
      urgency: ["TicketUrgency", ["CRITICAL", "HIGH", "NORMAL", "LOW"], true],
    },
    node: "id number openedAt urgency status referencePerson site { name } department { name }",
    columns: [
      ["number", (n) => String(n.number)],
      ["urgency", (n, ctx) => label(ctx.t, "TicketUrgency", n.urgency)],
      ["status", (n, ctx) => label(ctx.t, "TicketStatus", n.status)],
      ["openedAt", (n, ctx) => formatDateTime(n.openedAt, ctx.lang)],
      ["site", place],
      ["department", (n) => n.department?.name ?? ""],
      ["referencePerson", (n) => n.referencePerson],
    ],
  },
  documents: {
    field: "documents",
    choices: {
      kind: [
        "DocumentKind",
        ["CHECKLIST", "INCIDENT_REPORT", "MAINTENANCE_CERTIFICATE", "WORK_SHEET_PDF", "CONTRACT", "QUOTE", "INVOICE", "OTHER"],
        false,
      ],
    },
    node: "id kind fileName sizeBytes createdAt downloadUrl",
    columns: [
      ["fileName", (n) => documentLink(n)],
      ["kind", (n, ctx) => label(ctx.t, "DocumentKind", n.kind)],
      ["size", (n, ctx) => ctx.t("tables.kilobytes", { n: Math.max(1, Math.round(n.sizeBytes / 1024)) }),  true],
      ["createdAt", (n, ctx) => formatDate(n.createdAt, ctx.lang)],
    ],
  },
};

/** The lists this contact may open, in menu order (contracts and invoices follow the flags). */
export function allowedLists(viewer) {
  const features = viewer?.features ?? {};
  return Object.keys(LISTS).filter((name) => !LISTS[name].feature || features[LISTS[name].feature]);
}

// The filters as the API's arguments, {name: [GraphQL type, value]}: every one the list takes,
// null when not set, so that a list sends one document (registered in web/documents.json); the
// same names and values are the export's query parameters (lists joined by commas).
function argumentsOf(list, filters) {
  const args = { siteId: ["ID", filters.site || null] };
  if (list.period === "Date") {
    args.from = ["Date", filters.from || null];
    args.to = ["Date", filters.to || null];
  } else if (list.period === "DateTime") {
    // Whole local days: from the start of `from` to the start of the day after `to`.
    args.from = ["DateTime", filters.from ? isoWithOffset(dayStart(filters.from)) : null];
    args.to = ["DateTime", filters.to ? isoWithOffset(dayStart(filters.to, 1)) : null];
  }
  if (list.expiring) args.expiringBefore = ["Date", filters.expiringBefore || null];
  if (list.search) args.search = ["String", filters.search || null];
  for (const [name, [type, , many]] of Object.entries(list.choices ?? {})) {
    args[name] = [many ? `[${type}!]` : type, many && filters[name] ? [filters[name]] : filters[name] || null];
  }
  return args;
}

function documentFor(list, args, withSites) {
  const declared = Object.entries(args).map(([name, [type]]) => `$${name}: ${type}`);
  const passed = Object.keys(args).map((name) => `${name}: $${name}`);
  const [size, cursor] = list.newestFirst ? ["last", "before"] : ["first", "after"];
  declared.push(`$${size}: Int`, `$${cursor}: String`);
  passed.push(`${size}: $${size}`, `${cursor}: $${cursor}`);
  return `query PortalTable(${declared.join(", ")}) { ${withSites ? SITES_FIELD : ""}
  rows: ${list.field}(${passed.join(", ")}) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { ${list.node} } }
  } }`;
}

/** Every document this page sends: one per list, with its sites (the first load) and without. */
export const documents = () => Object.values(LISTS).flatMap((list) => [true, false].map((sites) => documentFor(list, argumentsOf(list, {}), sites)));

// The export's query parameters: the same names and values, a list of choices comma-joined.
function exportFilters(args) {
  return Object.fromEntries(
    Object.entries(args).map(([name, [, value]]) => [name, Array.isArray(value) ? value.join(",") : value]),
  );
}

const FILTER_NAMES = ["site", "from", "to", "expiringBefore", "search", "status", "urgency", "result", "kind"];

function filtersFrom(params) {
  const filters = {};
  for (const name of FILTER_NAMES) {
    const value = params.get(name);
    if (value) filters[name] = value;
  }
  return filters;
}

export async function render(main, ctx) {
  const { t } = ctx;
  const name = ctx.route.list ?? "";
  const allowed = allowedLists(ctx.viewer);
  main.append(h("h1", { id: "pg-title" }, LISTS[name] ? t(`tables.${name}.title`) : t("tables.title")));
  if (!allowed.includes(name)) {
    // A list the contact may not see is not offered, and its address says so rather than fail.
    main.append(h("p", { class: "pg-notice", role: "status" }, t("tables.unavailable")));
    return;
  }
  const list = LISTS[name];
  const path = `/portal/tables/${name}`;
  let filters = filtersFrom(ctx.params);
  let sites = [];
  // The cursors that opened the pages before this one; the current page's is `cursor`.
  let stack = [];
  let cursor = null;

  const form = h("form", { class: "pg-filters", "aria-label": t("tables.filters") });
  const results = h("section", { class: "pg-results", "aria-labelledby": "pg-title" });
  main.append(form, results);

  async function load(withSites) {
    const args = argumentsOf(list, filters);
    const variables = Object.fromEntries(Object.entries(args).map(([key, [, value]]) => [key, value]));
    if (list.newestFirst) Object.assign(variables, { last: PAGE_SIZE, before: cursor });
    else Object.assign(variables, { first: PAGE_SIZE, after: cursor });
    results.setAttribute("aria-busy", "true");
    try {
      const data = await ctx.gql(documentFor(list, args, withSites), variables);
      if (withSites) {
        sites = sitesOf(data.sites);
        drawFilters();
      }
      drawRows(data.rows, exportFilters(args));
    } catch (error) {
      ctx.showError(error);
    } finally {
      results.removeAttribute("aria-busy");
    }
  }

  function input(key, type, value) {
    const element = h("input", { id: `pg-f-${key}`, name: key, type });
    if (value) element.value = value;
    return element;
  }

  function labelled(id, text, control) {
    return h("div", { class: "pg-field" }, h("label", { for: `pg-f-${id}` }, text), control);
  }

  function drawFilters() {
    form.replaceChildren();
    const controls = [];
    controls.push(labelled("site", t("tables.filter.site"), siteSelect(sites, filters.site, { id: "pg-f-site", allLabel: t("tables.filter.allSites") })));
    if (list.period) {
      controls.push(labelled("from", t("tables.filter.from"), input("from", "date", filters.from)));
      controls.push(labelled("to", t("tables.filter.to"), input("to", "date", filters.to)));
    }
    if (list.expiring) {
      controls.push(labelled("expiringBefore", t("tables.filter.expiringBefore"), input("expiringBefore", "date", filters.expiringBefore)));
    }
    if (list.search) {
      controls.push(labelled("search", t("tables.filter.search"), input("search", "search", filters.search)));
    }
    for (const [key, [type, values]] of Object.entries(list.choices ?? {})) {
      const select = h("select", { id: `pg-f-${key}`, name: key }, h("option", { value: "" }, t("tables.filter.any")));
      for (const value of values) {
        const option = h("option", { value }, label(t, type, value));
        if (filters[key] === value) option.selected = true;
        select.append(option);
      }
      controls.push(labelled(key, t(`tables.filter.${key}`), select));
    }
    const apply = h("button", { type: "submit" }, t("tables.apply"));
    const reset = h("button", { type: "button", class: "secondary" }, t("tables.reset"));
    reset.addEventListener("click", () => {
      filters = {};
      restart(true);
    });
    form.append(...controls, h("div", { class: "actions" }, apply, reset));
  }

  function restart(redrawFilters) {
    stack = [];
    cursor = null;
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(filters)) params.set(key, value);
    keepQuery(path, params);
    if (redrawFilters) drawFilters();
    load(false);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const read = {};
    for (const key of FILTER_NAMES) {
      const control = form.elements.namedItem(key);
      if (control && control.value.trim()) read[key] = control.value.trim();
    }
    if (read.from && read.to && read.to < read.from) {
      [read.from, read.to] = [read.to, read.from];
    }
    filters = read;
    restart(false);
  });

  function drawRows(connection, csvFilters) {
    const nodes = connection.edges.map((edge) => edge.node);
    if (list.newestFirst) nodes.reverse();
    const info = connection.pageInfo;
    // Newest-first lists page backwards through an ascending list: "next" goes to older rows.
    const hasNext = list.newestFirst ? info.hasPreviousPage : info.hasNextPage;
    const nextCursor = list.newestFirst ? info.startCursor : info.endCursor;
    const columns = list.columns.map(([key, cell, numeric]) => ({
      key,
      label: t(`tables.col.${key}`),
      numeric: Boolean(numeric),
      render: (node) => cell(node, ctx) || "–",
    }));
    const shown = table(columns, nodes, { caption: t(`tables.${name}.title`), empty: t("tables.empty") });
    // Each row carries its record's id, the first column of the CSV export.
    shown.querySelectorAll("tbody tr").forEach((row, index) => {
      if (nodes[index]) row.dataset.id = nodes[index].id;
    });
    const summary = h("p", { class: "pg-count" }, t("tables.count", { n: connection.totalCount }));
    const csv = h("button", { type: "button", class: "pg-csv" }, t("tables.csv"));
    csv.addEventListener("click", async () => {
      csv.disabled = true;
      try {
        await downloadCsv(list.field, csvFilters);
      } catch (error) {
        ctx.showError(error);
      } finally {
        csv.disabled = false;
      }
    });
    const pages = pager(
      { hasPreviousPage: stack.length > 0, hasNextPage: hasNext },
      () => {
        stack.push(cursor);
        cursor = nextCursor;
        load(false);
      },
      () => {
        cursor = stack.pop() ?? null;
        load(false);
      },
    );
    results.replaceChildren(h("div", { class: "pg-toolbar" }, summary, csv), shown, pages);
  }

  await load(true);
}
