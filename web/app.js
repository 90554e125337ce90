// The shell of the client portal: boot, session, router, layout, errors.
//
// Every page path is a real path the server answers with index.html; this module picks the
// page module (web/pages/<name>.js) from ROUTES and calls its render(main, ctx). Pages below
// /portal need a session: the viewer is read once per full page load, and a 401 from any call
// sends the browser back to the login page.
import { ApiError, gql, gqlPartial, previewTarget, setPreviewTarget } from "./api.js";
import { LANGUAGES, LANGUAGE_NAMES, chooseLanguage, language, pickLanguage, t } from "./i18n.js";
import { SESSION_HINT, comeBackAfterLogin, remember } from "./storage.js";
import { h, replace, setTimeZone } from "./ui.js";

// path -> page module. ":name" matches one path segment (ctx.route.name).
// `feature` hides the page (and its menu entry) from contacts without that feature.
const ROUTES = [
  { path: "/", page: "login", public: true },
  { path: "/invitation", page: "set_password", public: true, purpose: "invitation" },
  { path: "/reset-password", page: "set_password", public: true, purpose: "reset" },
  { path: "/forgot-password", page: "forgot_password", public: true },
  { path: "/portal", page: "dashboard" },
  { path: "/portal/account", page: "account" },
  // pages helper routes
  { path: "/portal/tables/:list", page: "tables" },
  { path: "/portal/tickets", page: "tickets" },
  { path: "/portal/tickets/new", page: "ticket_new", feature: "canOpenTickets" },
  { path: "/portal/interventions", page: "interventions" },
  { path: "/portal/book", page: "book", feature: "canBookAppointments" },
  // A piece of equipment, opened from its QR label (after login, if need be).
  { path: "/portal/equipment/:id", page: "equipment" },
];

// The left menu: [text key, path, feature needed or null].
const MENU = [
  ["menu.dashboard", "/portal", null],
  ["menu.interventions", "/portal/interventions", null],
  ["menu.book", "/portal/book", "canBookAppointments"],
  ["menu.tickets", "/portal/tickets", null],
  ["menu.ticketNew", "/portal/tickets/new", "canOpenTickets"],
  ["menu.worksheets", "/portal/tables/worksheets", null],
  ["menu.timesheets", "/portal/tables/timesheets", null],
  ["menu.revisions", "/portal/tables/revisions", null],
  ["menu.equipment", "/portal/tables/equipment", null],
  ["menu.contracts", "/portal/tables/contracts", "canViewContracts"],
  ["menu.invoices", "/portal/tables/invoices", "canViewInvoices"],
  ["menu.quotes", "/portal/tables/quotes", null],
  ["menu.tablesTickets", "/portal/tables/tickets", null],
  ["menu.documents", "/portal/tables/documents", null],
  ["menu.account", "/portal/account", null],
];

// Who is logged in: read once per full page load. `features` is null for staff (who then get
// the preview page), `previewing` true when staff look at the portal as a contact.
const VIEWER = `query ShellViewer {
  viewer {
    kind firstName lastName email locale organizationName organizationLogoUrl portalInfoText
    timeZone previewing
    features { canViewContracts canViewInvoices canOpenTickets canBookAppointments receivesVisitReminders receivesSignedWorksheets }
  }
}`;

let viewer = null;
let rendering = 0;

/** Called by the pages that log someone in: the next page load reads the viewer. */
export function signedIn(accountKind) {
  remember(SESSION_HINT, accountKind || "CONTACT");
  viewer = null;
}

/** Ends the session on the server, then shows the login page. */
export async function logout() {
  try {
    await gql(`mutation Logout { logout }`);
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "UNAUTHENTICATED") {
      showError(error);
      return;
    }
  }
  signedOut();
  navigate("/", { replace: true });
}

export function signedOut() {
  remember(SESSION_HINT, null);
  setPreviewTarget(null);
  setTimeZone(null);
  viewer = null;
}

function match(pathname) {
  const path = pathname.replace(/\/+$/, "") || "/";
  for (const route of ROUTES) {
    const names = [];
    const pattern = new RegExp(
      "^" + route.path.replace(/:(\w+)/g, (_, name) => (names.push(name), "([^/]+)")) + "$",
    );
    const found = pattern.exec(path);
    if (found) {
      const values = {};
      names.forEach((name, i) => (values[name] = decodeURIComponent(found[i + 1])));
      return { route, values };
    }
  }
  return null;
}

export function navigate(path, { replace: replacing = false } = {}) {
  if (replacing) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  render();
}

async function loadViewer() {
  const found = (await gql(VIEWER)).viewer;
  // Every date and time the pages show is in the organization's zone, not the browser's.
  setTimeZone(found.timeZone);
  return found;
}

function allowed(feature) {
  return !feature || Boolean(viewer && viewer.features && viewer.features[feature]);
}

/** The error banner: what happened and the request id to quote to support. */
export function errorBanner(error) {
  const parts = [];
  if (error instanceof ApiError && error.network) parts.push(t("error.network"));
  else if (error instanceof ApiError && error.code === "INTERNAL_SERVER_ERROR") parts.push(t("error.server"));
  else if (error instanceof ApiError && error.status >= 500) parts.push(t("error.server"));
  else parts.push(error && error.message ? error.message : t("error.unexpected"));
  const requestId = error instanceof ApiError ? error.requestId || (error.extensions && error.extensions.requestId) : null;
  return h(
    "div",
    { class: "error-banner", role: "alert" },
    h("p", {}, parts.join(" ")),
    requestId ? h("p", { class: "request-id" }, t("error.requestId", { id: requestId })) : null,
    h("button", { type: "button", class: "secondary", onClick: () => render() }, t("error.retry")),
  );
}

function showError(error) {
  if (!(error instanceof ApiError) || error.code !== "UNAUTHENTICATED") console.warn(error);
  const main = document.getElementById("main");
  // Whatever said "loading" will not finish now.
  document.querySelectorAll("#main .loading").forEach((node) => node.remove());
  const slot = document.getElementById("error-slot");
  const target = slot || main;
  if (target) replace(target, errorBanner(error));
  if (target) target.hidden = false;
}

function languageSwitcher() {
  const select = h(
    "select",
    {
      id: "language",
      onChange: (event) => {
        chooseLanguage(event.target.value);
        render();
      },
    },
    LANGUAGES.map((code) => h("option", { value: code, lang: code, selected: code === language() }, LANGUAGE_NAMES[code])),
  );
  return h("div", { class: "language" }, h("label", { for: "language" }, t("shell.language")), select);
}

/** Draws the switcher again after a page changed the language (the organization's default). */
export function redrawLanguageSwitcher() {
  const old = document.querySelector(".language");
  if (old) old.replaceWith(languageSwitcher());
}

/**
 * The organization's mark beside its name: its logo when served by Sportello itself (or a data:
 * image), else its initials. Decorative (empty alt): the name is written next to it.
 */
export function brandMark(name, logoUrl) {
  // A strict CSP allows no third-party origin: a logo elsewhere would not load, so it is not
  // asked for; the initials stand in.
  const local = logoUrl && ((logoUrl.startsWith("/") && !logoUrl.startsWith("//")) || logoUrl.startsWith("data:image/"));
  if (local) return h("img", { class: "brand-logo", src: logoUrl, alt: "" });
  const initials = (name || "S")
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0].toUpperCase())
    .join("");
  return h("span", { class: "brand-initials", "aria-hidden": "true" }, initials);
}

function layout(current) {
  const name = viewer.organizationName;
  const features = viewer.features;
  const menu = h(
    "nav",
    { id: "menu", class: "menu", "aria-label": t("shell.menu") },
    h(
      "ul",
      {},
      MENU.filter(([, , feature]) => allowed(feature)).map(([key, path]) =>
        h("li", {}, h("a", { href: path, "aria-current": current === path ? "page" : null }, t(key))),
      ),
    ),
  );
  const toggle = h(
    "button",
    {
      type: "button",
      class: "menu-toggle secondary",
      "aria-controls": "menu",
      "aria-expanded": "false",
      onClick: (event) => {
        const open = event.currentTarget.getAttribute("aria-expanded") !== "true";
        event.currentTarget.setAttribute("aria-expanded", String(open));
        menu.classList.toggle("open", open);
      },
    },
    t("shell.menu"),
  );
  const banner = viewer.previewing
    ? h(
        "div",
        { class: "preview-banner", role: "status" },
        h("strong", {}, t("preview.banner", { name: `${viewer.firstName} ${viewer.lastName}` })),
        " ",
        t("preview.readOnly"),
        " ",
        h(
          "button",
          {
            type: "button",
            class: "secondary",
            onClick: () => {
              setPreviewTarget(null);
              viewer = null;
              navigate("/portal");
            },
          },
          t("preview.end"),
        ),
      )
    : null;
  const header = h(
    "header",
    { class: "topbar" },
    h("a", { href: "/portal", class: "brand" }, brandMark(name, viewer.organizationLogoUrl), h("span", { class: "brand-name" }, name)),
    h(
      "div",
      { class: "topbar-tools" },
      languageSwitcher(),
      h("span", { class: "who" }, `${viewer.firstName} ${viewer.lastName}`),
      viewer.previewing ? null : h("button", { type: "button", class: "secondary logout", onClick: logout }, t("shell.logout")),
      features ? toggle : null,
    ),
  );
  const main = h("main", { id: "main", tabindex: "-1" });
  const errorSlot = h("div", { id: "error-slot", hidden: true });
  return {
    nodes: [
      h("a", { href: "#main", class: "skip-link" }, t("shell.skip")),
      banner,
      header,
      h("div", { class: features ? "body with-menu" : "body" }, features ? menu : null, h("div", { class: "content" }, errorSlot, main)),
    ],
    main,
  };
}

function publicLayout() {
  const main = h("main", { id: "main", class: "public", tabindex: "-1" });
  const errorSlot = h("div", { id: "error-slot", hidden: true });
  return {
    nodes: [h("header", { class: "public-top" }, languageSwitcher()), h("div", { class: "public-body" }, errorSlot, main)],
    main,
  };
}

async function importPage(name) {
  return import(`./pages/${name}.js`);
}

function context(main, found, params) {
  return {
    t,
    lang: language(),
    gql,
    gqlPartial,
    viewer,
    navigate,
    params,
    route: found ? found.values : {},
    purpose: found ? found.route.purpose : null,
    url: new URL(location.href),
    showError,
    preview: Boolean(viewer && viewer.previewing),
  };
}

/** Draws the page of the current location. */
export async function render() {
  const ticket = ++rendering;
  const app = document.getElementById("app");
  const params = new URLSearchParams(location.search);
  const found = match(location.pathname);
  if (!found) {
    pickLanguage({ contact: null, organization: null });
    const { nodes, main } = publicLayout();
    replace(app, nodes);
    replace(main, h("h1", {}, t("notFound.title")), h("p", {}, h("a", { href: "/" }, t("notFound.back"))));
    document.title = `${t("notFound.title")} · Sportello`;
    return;
  }
  const { route } = found;
  if (route.public) {
    pickLanguage({ contact: viewer && viewer.locale, organization: null });
    const { nodes, main } = publicLayout();
    replace(app, nodes);
    try {
      const page = await importPage(route.page);
      if (ticket !== rendering) return;
      await page.render(main, context(main, found, params));
    } catch (error) {
      if (ticket === rendering) showError(error);
    }
    return;
  }
  // A staff member opens /portal?as=<portal access id> to preview the portal as a contact.
  const target = params.get("as");
  if (target && target !== previewTarget()) {
    setPreviewTarget(target);
    viewer = null;
  }
  try {
    if (!viewer) viewer = await loadViewer();
  } catch (error) {
    if (error instanceof ApiError && error.code === "UNAUTHENTICATED") return;
    pickLanguage({});
    const { nodes, main } = publicLayout();
    replace(app, nodes);
    replace(main, errorBanner(error));
    return;
  }
  if (ticket !== rendering) return;
  pickLanguage({ contact: viewer.locale, organization: null });
  const { nodes, main } = layout(route.path.includes(":") ? location.pathname : route.path);
  replace(app, nodes);
  let pageName = route.page;
  if (!viewer.features) pageName = "staff"; // staff without a preview: choose a contact
  else if (!allowed(route.feature)) pageName = null;
  if (!pageName) {
    replace(main, h("h1", {}, t("notFound.title")), h("p", {}, h("a", { href: "/portal" }, t("notFound.backPortal"))));
    return;
  }
  try {
    const page = await importPage(pageName);
    if (ticket !== rendering) return;
    await page.render(main, context(main, found, params));
  } catch (error) {
    if (ticket === rendering) showError(error);
  }
}

// Any 401 (logged out elsewhere, session expired): back to the login page.
window.addEventListener("sportello:unauthenticated", () => {
  signedOut();
  if (match(location.pathname)?.route.public) return;
  comeBackAfterLogin();
  navigate("/", { replace: true });
});

// Links inside the app move without reloading; downloads, new tabs and other origins do not.
document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest("a");
  if (!link || link.target || link.hasAttribute("download")) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !match(url.pathname)) return;
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
  const main = document.getElementById("main");
  if (main) main.focus({ preventScroll: true });
});

window.addEventListener("popstate", () => render());
window.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  showError(event.reason);
});


render();
