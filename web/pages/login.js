// Login (`/`): the organization from ?org= (or the last visit), its branding shown before
// login, then email, username or phone and password. A failed login keeps what was typed
// except the password; RATE_LIMITED says how long to wait.
import { brandMark, navigate, redrawLanguageSwitcher, signedIn } from "../app.js";
import { SESSION_HINT, afterLogin, forgetOrganization, organizationSlug, recall } from "../storage.js";
import { ApiError } from "../api.js";
import { pickLanguage } from "../i18n.js";
import { field, formMessage, h, replace } from "../ui.js";

export const BRANDING = `query Branding($org: String!) {
  portalBranding(organization: $org) { name logoUrl infoText defaultLocale }
}`;

export const LOGIN = `mutation Login($org: String!, $identifier: String!, $password: String!) {
  login(organization: $org, identifier: $identifier, password: $password) { accountKind }
}`;

/** The organization's branding, or null (unknown slug, portal off, or no slug). */
export async function loadBranding(ctx, slug) {
  if (!slug) return null;
  const data = await ctx.gql(BRANDING, { org: slug });
  return data.portalBranding;
}

/** The branding block of the public pages: mark, name and information text. */
export function brandingBlock(branding, t, { info = true } = {}) {
  if (!branding) return null;
  return h(
    "div",
    { class: "org-brand-block" },
    h("div", { class: "org-brand" }, brandMark(branding.name, branding.logoUrl), h("span", { class: "brand-name" }, branding.name)),
    info && branding.infoText ? h("p", { class: "org-info" }, branding.infoText) : null,
  );
}

/** Sets the page language from the organization's default, unless one was chosen. */
export function useOrganizationLanguage(branding) {
  if (!branding) return;
  pickLanguage({ organization: branding.defaultLocale });
  redrawLanguageSwitcher();
}

export async function render(main, ctx) {
  if (recall(SESSION_HINT)) {
    // Logged in already (a hint only: the portal checks the session and comes back if not).
    navigate("/portal", { replace: true });
    return;
  }
  let slug = organizationSlug(ctx.params);
  const branding = await loadBranding(ctx, slug);
  useOrganizationLanguage(branding);
  const { t } = ctx;
  document.title = `${branding ? branding.name : "Sportello"} · ${t("login.title")}`;

  const organization = h("input", { name: "organization", autocomplete: "organization", required: true, value: slug || "", autocapitalize: "none", spellcheck: "false" });
  const organizationField = field(t("login.organization"), organization, slug && !branding ? t("login.unknownOrganization") : null, t("login.organizationHint"));
  organizationField.hidden = Boolean(branding);
  const identifier = h("input", { name: "identifier", autocomplete: "username", required: true, autocapitalize: "none", spellcheck: "false" });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const message = formMessage();
  const submit = h("button", { type: "submit" }, t("login.submit"));
  const change = branding
    ? h(
        "button",
        {
          type: "button",
          class: "link-button",
          onClick: () => {
            organizationField.hidden = false;
            change.hidden = true;
            forgetOrganization();
            organization.focus();
          },
        },
        t("login.changeOrganization"),
      )
    : null;
  const forgot = h("a", { href: slug ? `/forgot-password?org=${encodeURIComponent(slug)}` : "/forgot-password" }, t("login.forgot"));

  const form = h(
    "form",
    { class: "card", novalidate: true, "aria-labelledby": "login-title" },
    brandingBlock(branding, t),
    h("h1", { id: "login-title" }, branding ? t("login.title") : t("login.welcome")),
    message,
    organizationField,
    field(t("login.identifier"), identifier),
    field(t("login.password"), password),
    h("div", { class: "actions" }, submit, change),
    h("p", { class: "form-foot" }, forgot),
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.clear();
    const missing = [organization, identifier, password]
      .filter((input) => !input.value.trim())
      .map((input) => [input.closest(".field"), input]);
    for (const [wrapper] of missing) wrapper.setError(t("common.required"));
    if (missing.length) {
      if (missing[0][0].hidden) missing[0][0].hidden = false;
      missing[0][1].focus();
      return;
    }
    slug = organization.value.trim().toLowerCase();
    submit.disabled = true;
    try {
      const data = await ctx.gql(LOGIN, { org: slug, identifier: identifier.value.trim(), password: password.value });
      organizationSlug(new URLSearchParams({ org: slug }));
      signedIn(data.login.accountKind);
      navigate(afterLogin());
    } catch (error) {
      submit.disabled = false;
      if (!(error instanceof ApiError) || error.network || error.code === "INTERNAL_SERVER_ERROR") {
        ctx.showError(error);
        return;
      }
      password.value = "";
      if (error.code === "RATE_LIMITED") {
        const seconds = Math.max(1, Math.ceil(Number(error.extensions.retryAfter) || 1));
        message.show(t("login.rateLimited", { seconds }));
      } else {
        message.show(t("login.failed"));
      }
      password.focus();
    }
  });
  for (const input of [organization, identifier, password]) {
    input.addEventListener("input", () => input.closest(".field").setError(null));
  }
  replace(main, form);
  (branding ? identifier : organization).focus();
}
