// Staff who log in through the portal's login page land here (seed 001): choose a contact and
// open the portal as that contact sees it, read-only (`/portal?as=<portal access id>`; every
// call then carries X-View-As-Contact, which the API audits).
import { badge, field, h, replace, table } from "../ui.js";

export const PORTAL_ACCESSES = `query PortalAccesses($search: String) {
  portalAccesses(search: $search, first: 50) { id firstName lastName email state }
}`;

export async function render(main, ctx) {
  const { t } = ctx;
  document.title = `${t("staff.title")} · ${ctx.viewer.organizationName}`;
  const search = h("input", { type: "search", name: "search", value: ctx.params.get("search") || "" });
  const form = h(
    "form",
    { class: "search", role: "search" },
    field(t("staff.search"), search),
    h("button", { type: "submit" }, t("staff.searchButton")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = search.value.trim();
    ctx.navigate(query ? `/portal?search=${encodeURIComponent(query)}` : "/portal");
  });
  const data = await ctx.gql(PORTAL_ACCESSES, { search: search.value.trim() || null });
  const rows = data.portalAccesses;
  replace(
    main,
    h("h1", {}, t("staff.title")),
    h("p", {}, t("staff.intro")),
    form,
    table(
      [
        { key: "name", label: t("staff.contact"), render: (row) => `${row.firstName} ${row.lastName}` },
        { key: "email", label: t("account.email") },
        { key: "state", label: t("staff.state"), render: (row) => badge(t(`staff.state.${row.state}`), row.state === "ACTIVE" ? "ok" : "") },
        {
          key: "id",
          label: t("staff.preview"),
          render: (row) =>
            h("a", { href: `/portal?as=${encodeURIComponent(row.id)}`, "aria-label": `${t("staff.preview")}: ${row.firstName} ${row.lastName}` }, t("staff.preview")),
        },
      ],
      rows,
      { label: t("staff.title") },
    ),
  );
}
