// What the browser remembers between visits and pages: the organization of the last visit,
// whether someone was signed in, and the portal page to come back to after logging in.
// Storage may be refused (private windows, policies): every function works without it.

export const SESSION_HINT = "sportello.signedIn";
const ORG_KEY = "sportello.org";
// The portal page a browser was sent away from to log in (a scanned QR label), for this tab.
const RETURN_KEY = "sportello.returnTo";

/** A remembered value (organization slug, session hint); storage may be refused. */
export function remember(key, value) {
  try {
    if (value === null || value === undefined) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Nothing to remember with; the next visit asks again.
  }
}

export function recall(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** The organization slug the public pages use: ?org=, else the one of the last visit. */
export function organizationSlug(params = new URLSearchParams(location.search)) {
  const given = (params.get("org") || "").trim();
  if (given) {
    remember(ORG_KEY, given);
    return given;
  }
  return recall(ORG_KEY);
}

export function forgetOrganization() {
  remember(ORG_KEY, null);
}

/** Where a login leads: the portal page that sent the browser to log in, else the dashboard. */
export function afterLogin() {
  let path = null;
  try {
    path = sessionStorage.getItem(RETURN_KEY);
    sessionStorage.removeItem(RETURN_KEY);
  } catch {
    // Nothing was remembered: the dashboard.
  }
  return path && path.startsWith("/portal") ? path : "/portal";
}

/** Remembers the current portal page (and its ?org=, for the login's branding) for afterLogin. */
export function comeBackAfterLogin() {
  organizationSlug();
  try {
    sessionStorage.setItem(RETURN_KEY, location.pathname + location.search);
  } catch {
    // Storage refused: the login leads to the dashboard.
  }
}
