// Dashboard of one site (`/portal?site=<id>`, seed 004): a site picker when the contact sees
// several clients or sites, then the boxes of the site from ONE request, the document of
// graphql_examples/portal/site_dashboard.graphql (kept identical to it: a test compares them).
// A box whose feature the contact lacks is not drawn; its field answers null with FORBIDDEN,
// which the page expects (gqlPartial), and the rest of the dashboard loads.
import { ApiError } from "../api.js";
import {
  badge,
  documentLink,
  field,
  formatDate,
  formatDateTime,
  formatMoney,
  formatMonth,
  h,
  nodes,
  replace,
  table,
} from "../ui.js";
import { evidenceForm } from "./evidence.js";

// graphql_examples/portal/my_sites.graphql
export const MY_SITES = `# Who I am, my organization's branding, and the sites I may see (the dashboard's home page).
query MySites {
  viewer { firstName lastName organizationName organizationLogoUrl portalInfoText }
  sites(first: 100) {
    totalCount
    edges { node { id name address city client { name } nextRevision { dueMonth plannedDate } } }
  }
}`;

// graphql_examples/portal/site_dashboard.graphql
export const SITE_DASHBOARD = `# The client dashboard's page of one site (seed 004), in one request: the last revision with
# its results and documents, the next one, closed invoices and sent quotes, other work done
# with its certificates, contracts, equipment with the result of its last check, tickets.
query SiteDashboard($site: ID!) {
  site(id: $site) {
    id
    name
    address
    postalCode
    city
    client { name }
    lastRevision {
      performedAt
      result
      outcomes { compliant nonCompliant notChecked }
      documents(first: 10) { edges { node { kind fileName downloadUrl } } }
    }
    nextRevision { dueMonth plannedDate }
    invoices(first: 10) {
      totalCount
      edges { node { number issuedOn status totalCents currency documents(first: 3) { edges { node { fileName downloadUrl } } } } }
    }
    quotes(first: 10) {
      totalCount
      edges { node { number title issuedOn status totalCents currency documents(first: 3) { edges { node { fileName downloadUrl } } } } }
    }
    workSheets(first: 10) {
      totalCount
      edges { node { number date description signedBy documents(first: 3) { edges { node { kind fileName downloadUrl } } } } }
    }
    contracts(first: 10) {
      edges { node { number kind startsOn expiresOn daysToExpiry documents(first: 3) { edges { node { fileName downloadUrl } } } } }
    }
    equipment(first: 100) {
      totalCount
      edges { node { kind model serialNumber location lastResult { outcome performedAt } } }
    }
    tickets(first: 10) {
      totalCount
      edges { node { number urgency status openedAt } }
    }
  }
  ticketStatistics(siteId: $site) {
    total
    byStatus { status count }
    perMonth { month count }
  }
}`;

// Fields a contact may lack by feature: their FORBIDDEN errors are expected, not failures.
const GATED = { invoices: "canViewInvoices", contracts: "canViewContracts" };

const RESULT_KIND = { PASS: "ok", PASS_WITH_REMARKS: "warn", FAIL: "bad" };
const OUTCOME_KIND = { COMPLIANT: "ok", NON_COMPLIANT: "bad", NOT_CHECKED: "" };

function sitesOf(data) {
  return nodes(data.sites).sort(
    (a, b) => (a.client?.name ?? "").localeCompare(b.client?.name ?? "") || a.name.localeCompare(b.name),
  );
}

/** Client and site selects (a client select only when the sites belong to several clients). */
function picker(sites, chosen, ctx) {
  const { t } = ctx;
  const clients = [...new Set(sites.map((s) => s.client?.name ?? ""))];
  const current = sites.find((s) => s.id === chosen);
  const clientSelect = h(
    "select",
    { name: "client" },
    clients.map((name) => h("option", { value: name, selected: current ? current.client?.name === name : false }, name)),
  );
  const siteSelect = h("select", { name: "site" });
  const fill = () => {
    const client = clients.length > 1 ? clientSelect.value : clients[0];
    siteSelect.replaceChildren(
      ...sites
        .filter((s) => (s.client?.name ?? "") === client)
        .map((s) => h("option", { value: s.id, selected: s.id === chosen }, `${s.name} · ${s.city}`)),
    );
  };
  clientSelect.addEventListener("change", fill);
  fill();
  const form = h(
    "form",
    { class: "picker", "aria-label": t("dashboard.chooseSite") },
    clients.length > 1 ? field(t("dashboard.client"), clientSelect) : null,
    field(t("dashboard.site"), siteSelect),
    h("button", { type: "submit" }, t("dashboard.show")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.navigate(`/portal?site=${encodeURIComponent(siteSelect.value)}`);
  });
  return form;
}

function box(title, body, { wide = false, count = null, more = null } = {}) {
  const id = `box-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return h(
    "section",
    { class: ["box", wide ? "wide" : null], "aria-labelledby": id },
    h("h2", { id }, title, count === null ? null : h("small", {}, count)),
    body,
    more,
  );
}

function docList(connection) {
  const docs = nodes(connection);
  if (!docs.length) return null;
  return h("ul", { class: "docs" }, docs.map((doc) => h("li", {}, documentLink(doc))));
}

function items(list, draw, t) {
  if (!list.length) return h("p", { class: "item-meta" }, t("common.empty"));
  return h("ul", { class: "item-list" }, list.map((each) => h("li", {}, draw(each))));
}

function shownOf(connection, t) {
  const shown = nodes(connection).length;
  const total = connection?.totalCount ?? shown;
  return total > shown ? t("dashboard.shownOf", { shown, total }) : String(total);
}

function seeAll(list, siteId, t) {
  return h("p", { class: "box-more" }, h("a", { href: `/portal/tables/${list}?site=${encodeURIComponent(siteId)}` }, t("dashboard.seeAll")));
}

function lastRevisionBox(revision, t) {
  if (!revision) return box(t("dashboard.lastRevision"), h("p", {}, t("dashboard.noRevision")));
  const outcomes = revision.outcomes || {};
  const figure = (label, value) => h("div", { class: "figure" }, h("dt", {}, label), h("dd", {}, String(value ?? 0)));
  const documents = docList(revision.documents);
  return box(
    t("dashboard.lastRevision"),
    h(
      "div",
      {},
      h(
        "p",
        {},
        `${t("dashboard.performedAt")} ${formatDate(revision.performedAt)} `,
        revision.result ? badge(t(`enum.revisionResult.${revision.result}`), RESULT_KIND[revision.result]) : null,
      ),
      h(
        "dl",
        { class: "figures" },
        figure(t("dashboard.compliant"), outcomes.compliant),
        figure(t("dashboard.nonCompliant"), outcomes.nonCompliant),
        figure(t("dashboard.notChecked"), outcomes.notChecked),
      ),
      documents ? h("h3", {}, t("dashboard.revisionDocuments")) : null,
      documents,
    ),
  );
}

function nextRevisionBox(next, t) {
  let text = t("dashboard.noNextRevision");
  if (next && next.plannedDate) text = t("dashboard.plannedOn", { date: formatDate(next.plannedDate) });
  else if (next && next.dueMonth) text = t("dashboard.dueIn", { month: formatMonth(next.dueMonth) });
  return box(t("dashboard.nextRevision"), h("p", { class: "next-revision" }, text));
}

function moneyLine(record, status, t) {
  return [
    h("div", { class: "item-title" }, record.number, record.title ? ` · ${record.title}` : null),
    h(
      "div",
      { class: "item-meta" },
      `${formatDate(record.issuedOn)} · ${formatMoney(record.totalCents, record.currency)} `,
      badge(t(status), record.status === "PAID" || record.status === "ACCEPTED" ? "ok" : ""),
    ),
    docList(record.documents),
  ];
}

function contractLine(contract, t) {
  const days = contract.daysToExpiry;
  const expiry =
    days === null || days === undefined ? null : days < 0 ? badge(t("dashboard.expired"), "bad") : badge(t("dashboard.expiresIn", { days }), days <= 30 ? "warn" : "");
  return [
    h("div", { class: "item-title" }, `${contract.number} · ${contract.kind}`),
    h("div", { class: "item-meta" }, `${formatDate(contract.startsOn)} – ${formatDate(contract.expiresOn)} `, expiry),
    docList(contract.documents),
  ];
}

function workTable(connection, t) {
  return table(
    [
      { key: "number", label: t("dashboard.number") },
      { key: "date", label: t("dashboard.date"), render: (row) => formatDate(row.date) },
      { key: "description", label: t("dashboard.description") },
      { key: "signedBy", label: t("dashboard.signedBy") },
      { key: "documents", label: t("dashboard.documents"), render: (row) => docList(row.documents) || "–" },
    ],
    nodes(connection),
    { label: t("dashboard.workDone") },
  );
}

function equipmentTable(connection, t) {
  return table(
    [
      { key: "kind", label: t("dashboard.kind") },
      { key: "model", label: t("dashboard.model") },
      { key: "serialNumber", label: t("dashboard.serial") },
      { key: "location", label: t("dashboard.location") },
      {
        key: "lastResult",
        label: t("dashboard.lastCheck"),
        render: (row) =>
          row.lastResult
            ? h("span", {}, badge(t(`enum.outcome.${row.lastResult.outcome}`), OUTCOME_KIND[row.lastResult.outcome]), " ", formatDate(row.lastResult.performedAt))
            : "–",
      },
    ],
    nodes(connection),
    { label: t("dashboard.equipment") },
  );
}

function ticketsBox(site, statistics, t) {
  const list = nodes(site.tickets);
  const summary = statistics
    ? h(
        "p",
        { class: "item-meta" },
        t("dashboard.ticketStats", { total: statistics.total }),
        statistics.byStatus
          .filter((each) => each.count > 0)
          .map((each) => ` · ${t(`enum.ticketStatus.${each.status}`)} ${each.count}`),
      )
    : null;
  return box(
    t("dashboard.tickets"),
    h(
      "div",
      {},
      summary,
      items(
        list,
        (ticket) => [
          h("div", { class: "item-title" }, ticket.number, " ", badge(t(`enum.urgency.${ticket.urgency}`), ticket.urgency === "CRITICAL" || ticket.urgency === "HIGH" ? "bad" : "")),
          h("div", { class: "item-meta" }, `${t(`enum.ticketStatus.${ticket.status}`)} · ${formatDateTime(ticket.openedAt)}`),
        ],
        t,
      ),
    ),
    { count: shownOf(site.tickets, t), more: h("p", { class: "box-more" }, h("a", { href: `/portal/tickets?site=${encodeURIComponent(site.id)}` }, t("dashboard.seeAll"))) },
  );
}

function boxes(site, statistics, features, ctx) {
  const { t } = ctx;
  const parts = [lastRevisionBox(site.lastRevision, t), nextRevisionBox(site.nextRevision, t), ticketsBox(site, statistics, t)];
  if (features.canViewInvoices && site.invoices) {
    parts.push(
      box(t("dashboard.invoices"), items(nodes(site.invoices), (inv) => moneyLine(inv, `enum.invoiceStatus.${inv.status}`, t), t), {
        count: shownOf(site.invoices, t),
        more: seeAll("invoices", site.id, t),
      }),
    );
  }
  parts.push(
    box(t("dashboard.quotes"), items(nodes(site.quotes), (quote) => moneyLine(quote, `enum.quoteStatus.${quote.status}`, t), t), {
      count: shownOf(site.quotes, t),
      more: seeAll("quotes", site.id, t),
    }),
  );
  if (features.canViewContracts && site.contracts) {
    parts.push(box(t("dashboard.contracts"), items(nodes(site.contracts), (c) => contractLine(c, t), t), { more: seeAll("contracts", site.id, t) }));
  }
  parts.push(
    box(t("dashboard.workDone"), workTable(site.workSheets, t), {
      wide: true,
      count: shownOf(site.workSheets, t),
      more: seeAll("worksheets", site.id, t),
    }),
  );
  parts.push(box(t("dashboard.equipment"), equipmentTable(site.equipment, t), { wide: true, count: shownOf(site.equipment, t), more: seeAll("equipment", site.id, t) }));
  parts.push(box(ctx.t("dashboard.evidence"), evidenceForm(site, ctx)));
  return h("div", { class: "boxes" }, parts);
}

/** Errors other than the FORBIDDEN of a field the contact's features leave out. */
function unexpected(errors, features) {
  return errors.filter((error) => {
    const path = error.path || [];
    const gated = GATED[path[path.length - 1]];
    return !(error.extensions.code === "FORBIDDEN" && gated && !features[gated]);
  });
}

export async function render(main, ctx) {
  const { t } = ctx;
  const features = ctx.viewer.features || {};
  document.title = `${t("dashboard.title")} · ${ctx.viewer.organizationName}`;
  const heading = h("h1", {}, t("dashboard.title"));
  replace(main, heading, h("p", { class: "loading", role: "status" }, t("common.loading")));
  const sites = sitesOf(await ctx.gql(MY_SITES));
  if (!sites.length) {
    replace(main, heading, h("p", {}, t("dashboard.noSites")));
    return;
  }
  const chosen = ctx.params.get("site") || sites[0].id;
  const pick = sites.length > 1 ? picker(sites, chosen, ctx) : null;
  const { data, errors, requestId } = await ctx.gqlPartial(SITE_DASHBOARD, { site: chosen });
  const wrong = unexpected(errors, features);
  if (wrong.length) throw new ApiError(wrong[0].message, { errors: wrong, requestId, status: 200 });
  const site = data.site;
  if (!site) {
    replace(
      main,
      heading,
      pick,
      h("p", { class: "form-message error", role: "status" }, t("dashboard.unknownSite")),
      h("p", {}, h("a", { href: "/portal" }, t("notFound.backPortal"))),
    );
    return;
  }
  document.title = `${site.name} · ${ctx.viewer.organizationName}`;
  const address = [site.address, [site.postalCode, site.city].filter(Boolean).join(" ")].filter(Boolean).join(", ");
  replace(
    main,
    heading,
    pick,
    h("div", { class: "site-head" }, h("h2", {}, site.name), h("p", {}, `${site.client?.name ?? ""} · ${address}`)),
    boxes(site, data.ticketStatistics, features, ctx),
  );
}
