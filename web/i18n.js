// Texts of the web client in Italian, Spanish and English: one catalogue per language
// (web/i18n/<lang>.js), keys dotted by page. The language is the one picked with the switcher
// (remembered in localStorage), else the contact's, else the organization's, else the
// browser's, else Italian.
import it from "./i18n/it.js";
import es from "./i18n/es.js";
import en from "./i18n/en.js";

export const LANGUAGES = ["it", "es", "en"];
const CATALOGUES = { it, es, en };
const STORED = "sportello.lang";

let current = "it";

/** "es-ES", "en_GB", "IT" -> "es", "en", "it"; null when not one of ours. */
export function normalize(locale) {
  if (!locale) return null;
  const code = String(locale).slice(0, 2).toLowerCase();
  return LANGUAGES.includes(code) ? code : null;
}

function stored() {
  try {
    return normalize(localStorage.getItem(STORED));
  } catch {
    return null;
  }
}

/** Picks and sets the language from what is known so far; returns it. */
export function pickLanguage({ contact = null, organization = null } = {}) {
  const browser = (navigator.languages || [navigator.language]).map(normalize).find(Boolean);
  current = stored() || normalize(contact) || normalize(organization) || browser || "it";
  document.documentElement.lang = current;
  return current;
}

/** The switcher's choice: kept for the next visits. */
export function chooseLanguage(lang) {
  const code = normalize(lang) || "it";
  try {
    localStorage.setItem(STORED, code);
  } catch {
    // Storage refused: the choice lasts until the page is reloaded.
  }
  current = code;
  document.documentElement.lang = code;
  return code;
}

export function language() {
  return current;
}

/** The text of `key` in the current language, `{name}` replaced by vars.name. */
export function t(key, vars = {}) {
  const text = CATALOGUES[current][key] ?? CATALOGUES.en[key] ?? key;
  const filled = text.replace(/\{(\w+)\}/g, (whole, name) =>
    name in vars ? String(vars[name]) : whole,
  );
  return current === "it" ? italianArticles(filled) : filled;
}

// Italian articles before a day number, as the emails write them (mailer/templates/it.py):
// "il 8" reads "l'8", "dal 11" "dall'11"; the first of the month is "il 1°" ("primo").
const ELIDED = { il: "l'", al: "all'", dal: "dall'", del: "dell'" };

/** `text` with the articles before a day of the month put right. */
export function italianArticles(text) {
  return text
    .replace(/\b([Ii]l|[Aa]l|[Dd]al|[Dd]el) (8|11)\b/g, (whole, article, day) => {
      const elided = ELIDED[article.toLowerCase()];
      const capital = article[0] !== article[0].toLowerCase();
      return (capital ? elided[0].toUpperCase() + elided.slice(1) : elided) + day;
    })
    .replace(/\b([Ii]l|[Aa]l|[Dd]al|[Dd]el) 1\b(?![°.,:\d])/g, "$1 1°");
}

/** The language's name in itself, for the switcher. */
export const LANGUAGE_NAMES = { it: "Italiano", es: "Español", en: "English" };
