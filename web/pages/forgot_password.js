// Forgot password (`/forgot-password?org=..`), also a contact's first access (seed 004): the
// API emails a link whether or not the account exists and answers the same, so the page
// always says "if the account exists, the link is on its way".
import { organizationSlug } from "../storage.js";
import { ApiError } from "../api.js";
import { field, formMessage, h, replace } from "../ui.js";
import { brandingBlock, loadBranding, useOrganizationLanguage } from "./login.js";

export const REQUEST_RESET = `mutation RequestPasswordReset($org: String!, $identifier: String!) {
  requestPasswordReset(organization: $org, identifier: $identifier)
}`;

export async function render(main, ctx) {
  const { t } = ctx;
  const slug = organizationSlug(ctx.params);
  const branding = await loadBranding(ctx, slug);
  useOrganizationLanguage(branding);
  document.title = `${t("forgot.title")} · Sportello`;

  const organization = h("input", { name: "organization", autocomplete: "organization", required: true, value: slug || "", autocapitalize: "none", spellcheck: "false" });
  const organizationField = field(t("login.organization"), organization, slug && !branding ? t("login.unknownOrganization") : null, t("login.organizationHint"));
  organizationField.hidden = Boolean(branding);
  const identifier = h("input", { name: "identifier", autocomplete: "username", required: true, autocapitalize: "none", spellcheck: "false" });
  const identifierField = field(t("login.identifier"), identifier);
  const message = formMessage();
  const submit = h("button", { type: "submit" }, t("forgot.submit"));
  const back = h("a", { href: slug ? `/?org=${encodeURIComponent(slug)}` : "/" }, t("forgot.back"));
  const form = h(
    "form",
    { class: "card", novalidate: true, "aria-labelledby": "forgot-title" },
    brandingBlock(branding, t, { info: false }),
    h("h1", { id: "forgot-title" }, t("forgot.title")),
    h("p", {}, t("forgot.intro")),
    message,
    organizationField,
    identifierField,
    h("div", { class: "actions" }, submit),
    h("p", { class: "form-foot" }, back),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.clear();
    let missing = false;
    for (const [wrapper, input] of [[identifierField, identifier], [organizationField, organization]]) {
      if (!input.value.trim()) {
        wrapper.hidden = false;
        wrapper.setError(t("common.required"));
        input.focus();
        missing = true;
      }
    }
    if (missing) return;
    const org = organization.value.trim().toLowerCase();
    submit.disabled = true;
    try {
      await ctx.gql(REQUEST_RESET, { org, identifier: identifier.value.trim() });
      organizationSlug(new URLSearchParams({ org }));
      message.show(t("forgot.sent"), "ok");
    } catch (error) {
      if (error instanceof ApiError && error.code === "RATE_LIMITED") {
        const seconds = Math.max(1, Math.ceil(Number(error.extensions.retryAfter) || 1));
        message.show(t("login.rateLimited", { seconds }));
      } else if (error instanceof ApiError && error.code === "BAD_USER_INPUT") {
        const fields = error.fieldErrors();
        if (fields.organization) organizationField.setError(fields.organization.replace(/^\w+: /, ""));
        if (fields.identifier) identifierField.setError(fields.identifier.replace(/^\w+: /, ""));
        if (!fields.organization && !fields.identifier) message.show(error.message);
      } else {
        ctx.showError(error);
      }
    } finally {
      submit.disabled = false;
    }
  });
  for (const [input, wrapper] of [[organization, organizationField], [identifier, identifierField]]) {
    input.addEventListener("input", () => wrapper.setError(null));
  }
  replace(main, form);
  (branding ? identifier : organization).focus();
}
