// What the shell's password pages share: the password policy's refusals in the page's
// language, the new password's fields with the checks made before sending it, and a password input.
import { field, h } from "../ui.js";

const MIN_LENGTH = 10; // authz/password_policy.py: MIN_LENGTH

/** The API's refusal of a password ("password: use at least 10 characters") as page text. */
export function passwordMessage(message, t) {
  const text = String(message || "");
  if (text.includes("at least")) return t("password.tooShort");
  if (text.includes("at most")) return t("password.tooLong");
  if (text.includes("too common")) return t("password.common");
  if (text.includes("current password is wrong")) return t("account.wrongCurrent");
  return text.replace(/^\w+: /, "");
}

/**
 * A new password and its confirmation, each in its labelled field (`labels.password`,
 * `labels.confirm`); `refused()` makes the checks before sending: long enough (the server
 * checks the rest) and the same in its confirmation. On a problem it shows it at its field,
 * focuses the input and returns true.
 */
export function newPasswordFields(t, name, labels) {
  const password = passwordInput(name, "new-password");
  const confirm = passwordInput("confirm", "new-password");
  const passwordField = field(labels.password, password, null, t("setPassword.intro"));
  const confirmField = field(labels.confirm, confirm);
  const refused = () => {
    if (password.value.length < MIN_LENGTH) {
      return refuse(password, passwordField, t("password.tooShort"));
    }
    if (password.value !== confirm.value) {
      return refuse(confirm, confirmField, t("setPassword.mismatch"));
    }
    return false;
  };
  return { password, confirm, passwordField, confirmField, refused };
}

function refuse(input, wrapper, problem) {
  wrapper.setError(problem);
  input.focus();
  return true;
}

export function passwordInput(name, autocomplete) {
  return h("input", { type: "password", name, autocomplete, required: true, maxlength: 256 });
}
