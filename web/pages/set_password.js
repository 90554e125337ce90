// Invitation (`/invitation?org=..#token=..`) and reset password (`/reset-password?org=..#token=..`):
// choose a password, then land in the portal logged in. The token stays in the fragment, which
// browsers never send to a server. A link that is expired, used or altered shows a page that
// says so and offers to send a new one.
import { navigate, signedIn } from "../app.js";
import { organizationSlug } from "../storage.js";
import { ApiError } from "../api.js";
import { formMessage, h, onSubmit, replace } from "../ui.js";
import { brandingBlock, loadBranding, useOrganizationLanguage } from "./login.js";
import { newPasswordFields, passwordMessage } from "./passwords.js";

export const ACCEPT_INVITATION = `mutation AcceptInvitation($token: String!, $password: String!) {
  acceptInvitation(token: $token, password: $password) { accountKind }
}`;

export const RESET_PASSWORD = `mutation ResetPassword($token: String!, $password: String!) {
  resetPassword(token: $token, password: $password) { accountKind }
}`;

function tokenOf(hash) {
  return new URLSearchParams(hash.replace(/^#/, "")).get("token") || "";
}

function badLink(main, ctx, branding, slug) {
  const { t } = ctx;
  document.title = `${t("setPassword.badLinkTitle")} · Sportello`;
  const again = slug ? `/forgot-password?org=${encodeURIComponent(slug)}` : "/forgot-password";
  replace(
    main,
    h(
      "section",
      { class: "card", "aria-labelledby": "bad-link-title" },
      brandingBlock(branding, t, { info: false }),
      h("h1", { id: "bad-link-title" }, t("setPassword.badLinkTitle")),
      h("p", {}, t("setPassword.badLink")),
      h("p", {}, h("a", { class: "button", href: again }, t("setPassword.newLink"))),
    ),
  );
}

export async function render(main, ctx) {
  const { t } = ctx;
  const invitation = ctx.purpose === "invitation";
  const slug = organizationSlug(ctx.params);
  const branding = await loadBranding(ctx, slug);
  useOrganizationLanguage(branding);
  const token = tokenOf(location.hash);
  if (!token) {
    badLink(main, ctx, branding, slug);
    return;
  }
  const title = invitation ? t("setPassword.invitationTitle") : t("setPassword.resetTitle");
  document.title = `${title} · Sportello`;
  const labels = { password: t("setPassword.password"), confirm: t("setPassword.confirm") };
  const chosen = newPasswordFields(t, "password", labels);
  const { password, confirm, passwordField, confirmField } = chosen;
  const message = formMessage();
  const submit = h("button", { type: "submit" }, t("setPassword.submit"));
  const form = h(
    "form",
    { class: "card", novalidate: true, "aria-labelledby": "set-password-title" },
    brandingBlock(branding, t, { info: false }),
    h("h1", { id: "set-password-title" }, title),
    message,
    passwordField,
    confirmField,
    h("div", { class: "actions" }, submit),
  );
  onSubmit(form, message, async () => {
    if (chosen.refused()) return;
    submit.disabled = true;
    try {
      const data = await ctx.gql(invitation ? ACCEPT_INVITATION : RESET_PASSWORD, { token, password: password.value });
      const kind = (data.acceptInvitation || data.resetPassword).accountKind;
      signedIn(kind);
      // The token is used up: it leaves the address bar and the history entry.
      history.replaceState(null, "", location.pathname + location.search);
      navigate("/portal");
    } catch (error) {
      submit.disabled = false;
      if (!(error instanceof ApiError) || error.network || error.code !== "BAD_USER_INPUT") {
        if (error instanceof ApiError && error.code === "UNAUTHENTICATED") badLink(main, ctx, branding, slug);
        else ctx.showError(error);
        return;
      }
      const fields = error.fieldErrors();
      if (fields.token) {
        badLink(main, ctx, branding, slug);
        return;
      }
      passwordField.setError(passwordMessage(fields.password || error.message, t));
      password.focus();
    }
  });
  for (const [input, wrapper] of [[password, passwordField], [confirm, confirmField]]) {
    input.addEventListener("input", () => wrapper.setError(null));
  }
  replace(main, form);
  password.focus();
}
