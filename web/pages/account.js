// Account (`/portal/account`): the contact's details, their calendar link (issued by the
// office; copied with a button), change password (the policy's refusals at the field; every
// other session ends), and log out (the session ends on the server; the next call would be
// 401, and the page returns to the login).
import { logout } from "../app.js";
import { ApiError } from "../api.js";
import { field, formMessage, h, onSubmit, replace } from "../ui.js";
import { newPasswordFields, passwordInput, passwordMessage } from "./passwords.js";

export const CHANGE_PASSWORD = `mutation ChangePassword($current: String!, $new: String!) {
  changePassword(currentPassword: $current, newPassword: $new) { accountKind }
}`;

export const MY_CALENDAR_FEED = `query MyCalendarFeed { myCalendarFeed { url } }`;

// The link is the contact's to read, never to make: the office issues and revokes it.
function calendarBox(ctx, url) {
  const { t } = ctx;
  const content = [];
  if (url) {
    const link = h("input", { type: "text", readonly: true, value: url });
    const message = formMessage();
    const copy = h("button", { type: "button" }, t("account.calendarCopy"));
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(url);
        message.show(t("account.calendarCopied"), "ok");
      } catch {
        // No clipboard (an insecure origin or a refusal): select the text to copy by hand.
        link.select();
        message.show(t("account.calendarCopyByHand"));
      }
    });
    content.push(
      h("p", {}, t("account.calendarIntro")),
      field(t("account.calendarLink"), link),
      h("div", { class: "actions" }, copy),
      message,
    );
  } else {
    content.push(h("p", {}, t("account.calendarNone")));
  }
  return h(
    "section",
    { class: "box", "aria-labelledby": "calendar-title" },
    h("h2", { id: "calendar-title" }, t("account.calendarTitle")),
    ...content,
  );
}

function passwordForm(ctx) {
  const { t } = ctx;
  const current = passwordInput("currentPassword", "current-password");
  const currentField = field(t("account.current"), current);
  const labels = { password: t("account.new"), confirm: t("account.confirm") };
  const chosen = newPasswordFields(t, "newPassword", labels);
  const { password: next, confirm, passwordField: nextField, confirmField } = chosen;
  const message = formMessage();
  const submit = h("button", { type: "submit", disabled: ctx.preview }, t("account.submit"));
  const form = h(
    "form",
    { class: "box", novalidate: true, "aria-labelledby": "change-password-title" },
    h("h2", { id: "change-password-title" }, t("account.changePassword")),
    message,
    currentField,
    nextField,
    confirmField,
    h("div", { class: "actions" }, submit),
  );
  onSubmit(form, message, async () => {
    if (!current.value) {
      currentField.setError(t("common.required"));
      current.focus();
      return;
    }
    if (chosen.refused()) return;
    submit.disabled = true;
    try {
      await ctx.gql(CHANGE_PASSWORD, { current: current.value, new: next.value });
      for (const input of [current, next, confirm]) input.value = "";
      message.show(t("account.changed"), "ok");
    } catch (error) {
      if (error instanceof ApiError && error.code === "BAD_USER_INPUT") {
        const fields = error.fieldErrors();
        if (fields.currentPassword) {
          currentField.setError(passwordMessage(fields.currentPassword, t));
          current.focus();
        } else {
          nextField.setError(passwordMessage(fields.newPassword || error.message, t));
          next.focus();
        }
      } else if (error instanceof ApiError && error.code === "RATE_LIMITED") {
        const seconds = Math.max(1, Math.ceil(Number(error.extensions.retryAfter) || 1));
        message.show(t("login.rateLimited", { seconds }));
      } else {
        ctx.showError(error);
      }
    } finally {
      submit.disabled = ctx.preview;
    }
  });
  return form;
}

function logoutBox(ctx) {
  const { t } = ctx;
  return h(
    "section",
    { class: "box", "aria-labelledby": "logout-title" },
    h("h2", { id: "logout-title" }, t("account.logoutTitle")),
    h("p", {}, t("account.logoutIntro")),
    h("button", { type: "button", disabled: ctx.preview, onClick: logout }, t("account.logout")),
  );
}

export async function render(main, ctx) {
  const { t, viewer } = ctx;
  const { myCalendarFeed } = await ctx.gql(MY_CALENDAR_FEED);
  document.title = `${t("account.title")} · ${viewer.organizationName}`;
  replace(
    main,
    h("h1", {}, t("account.title")),
    ctx.preview ? h("p", { class: "form-message error" }, t("account.previewNote")) : null,
    h(
      "div",
      { class: "sections" },
      h(
        "section",
        { class: "box", "aria-labelledby": "profile-title" },
        h("h2", { id: "profile-title" }, t("account.profile")),
        h(
          "dl",
          { class: "profile" },
          h("dt", {}, t("account.name")),
          h("dd", {}, `${viewer.firstName} ${viewer.lastName}`),
          h("dt", {}, t("account.email")),
          h("dd", {}, viewer.email),
        ),
      ),
      calendarBox(ctx, myCalendarFeed?.url),
      logoutBox(ctx),
      passwordForm(ctx),
    ),
  );
}
