// One piece of equipment (`/portal/equipment/<id>`), the page its QR label opens: what it is
// and where, its outcome in each revision of its site that checked it, and those revisions'
// documents. An id that does not exist, belongs to another organization or is outside the
// contact's sites reads as null in the API, and here as the same "unknown equipment" page.
import { badge, documentLink, formatDate, h, replace, table } from "../ui.js";
import { label } from "./kit.js";

export const EQUIPMENT = `query EquipmentPage($id: ID!) {
  equipmentItem(id: $id) {
    id kind model serialNumber location installedOn
    site { id name address city }
    lastResult { outcome performedAt }
  }
}`;

// The site's revisions (newest due month first) with their items: the one of this piece gives
// its outcome. A page of 100 items covers a revision's checklist; a site with more pieces than
// that shows the outcomes of the first 100 by kind.
export const REVISIONS = `query EquipmentRevisions($site: ID!) {
  revisions(siteId: $site, first: 50) {
    edges { node {
      id dueMonth plannedDate performedAt cancelledAt result
      items(first: 100) { edges { node { outcome notes equipment { id } } } }
      documents(first: 20) { edges { node { id kind fileName downloadUrl } } }
    } }
  }
}`;

const OUTCOME_BADGE = { COMPLIANT: "ok", NON_COMPLIANT: "bad", NOT_CHECKED: "" };

function unknown(main, ctx) {
  const { t } = ctx;
  document.title = `${t("equipment.unknown")} · ${ctx.viewer.organizationName}`;
  replace(
    main,
    h("h1", {}, t("equipment.unknown")),
    h("p", { class: "form-message error", role: "status" }, t("equipment.unknownText")),
    h("p", {}, h("a", { href: "/portal" }, t("notFound.backPortal"))),
  );
}

function facts(item, ctx) {
  const { t } = ctx;
  const site = item.site;
  const rows = [
    [t("equipment.kind"), item.kind],
    [t("equipment.model"), item.model],
    [t("equipment.serial"), item.serialNumber],
    [t("equipment.location"), item.location],
    [t("equipment.site"), site ? `${site.name} · ${site.address}, ${site.city}` : null],
    [t("equipment.installedOn"), item.installedOn ? formatDate(item.installedOn, ctx.lang) : null],
  ];
  return h(
    "dl",
    { class: "profile" },
    rows.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value || "–")]),
  );
}

// A revision's "when": the day it was done, else the day it was called off or planned.
function when(revision, ctx) {
  if (revision.performedAt) return formatDate(revision.performedAt, ctx.lang);
  if (revision.cancelledAt) return ctx.t("tables.cancelled", { date: formatDate(revision.cancelledAt, ctx.lang) });
  if (revision.plannedDate) return ctx.t("tables.planned", { date: formatDate(revision.plannedDate, ctx.lang) });
  return formatDate(revision.dueMonth, ctx.lang);
}

/** The revisions that checked this piece, each with its item's outcome and notes. */
function checks(revisions, id) {
  return revisions
    .map((revision) => {
      const item = revision.items.edges.map((edge) => edge.node).find((node) => node.equipment?.id === id);
      return item ? { revision, item } : null;
    })
    .filter(Boolean);
}

export async function render(main, ctx) {
  const { t } = ctx;
  replace(main, h("h1", {}, t("equipment.title")), h("p", { class: "loading", role: "status" }, t("common.loading")));
  const item = (await ctx.gql(EQUIPMENT, { id: ctx.route.id })).equipmentItem;
  if (!item) {
    unknown(main, ctx);
    return;
  }
  const revisions = item.site
    ? (await ctx.gql(REVISIONS, { site: item.site.id })).revisions.edges.map((edge) => edge.node)
    : [];
  const found = checks(revisions, item.id);
  const title = [item.kind, item.model].filter(Boolean).join(" · ");
  document.title = `${title} · ${ctx.viewer.organizationName}`;
  const history = table(
    [
      { label: t("equipment.when"), render: ({ revision }) => when(revision, ctx) },
      { label: t("equipment.revisionResult"), render: ({ revision }) => label(t, "RevisionResult", revision.result) || "–" },
      {
        label: t("equipment.outcome"),
        render: ({ item: check }) => badge(label(t, "ItemOutcome", check.outcome), OUTCOME_BADGE[check.outcome]),
      },
      { label: t("equipment.notes"), render: ({ item: check }) => check.notes || "–" },
    ],
    found,
    { label: t("equipment.revisions"), empty: t("equipment.noRevisions") },
  );
  const documents = found.flatMap(({ revision }) => revision.documents.edges.map((edge) => edge.node));
  replace(
    main,
    h("h1", {}, title),
    h(
      "div",
      { class: "boxes" },
      h("section", { class: "box", "aria-labelledby": "equipment-facts" }, h("h2", { id: "equipment-facts" }, t("equipment.details")), facts(item, ctx)),
      h(
        "section",
        { class: "box", "aria-labelledby": "equipment-documents" },
        h("h2", { id: "equipment-documents" }, t("equipment.documents")),
        documents.length
          ? h("ul", { class: "equipment-documents" }, documents.map((doc) => h("li", {}, documentLink(doc))))
          : h("p", {}, t("equipment.noDocuments")),
      ),
      h("section", { class: "box wide", "aria-labelledby": "equipment-history" }, h("h2", { id: "equipment-history" }, t("equipment.revisions")), history),
    ),
  );
}
