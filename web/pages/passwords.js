// What the shell's password pages share: the password policy's refusals in the page's
// language, and a password input.
import { h } from "../ui.js";

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

/** The check made before sending: long enough (the server checks the rest). */
export function localProblem(password, t) {
  return password.length < MIN_LENGTH ? t("password.tooShort") : null;
}

export function passwordInput(name, autocomplete) {
  return h("input", { type: "password", name, autocomplete, required: true, maxlength: 256 });
}
