// The one way the web client talks to Sportello: JSON POSTs to /graphql on the same origin,
// authenticated by the HttpOnly session cookie (no token is ever kept in the page or in
// storage). Staff previewing the portal as a contact send X-View-As-Contact on every call.
// A document is sent as its sha256 hash only, never its text (persisted documents: the server
// knows the client's documents from web/documents.json, generated from these sources by
// `python -m sportello.web_documents`; see sportello/persisted.py).

const VIEW_AS_KEY = "sportello.previewAs";

/** An answer that is not a usable result: GraphQL errors, an HTTP error, or no answer at all. */
export class ApiError extends Error {
  constructor(message, { errors = [], requestId = null, status = 0, network = false } = {}) {
    super(message);
    this.name = "ApiError";
    this.errors = errors;
    this.requestId = requestId;
    this.status = status;
    this.network = network;
  }

  /** The code of the first error (UNAUTHENTICATED, BAD_USER_INPUT, RATE_LIMITED, ...). */
  get code() {
    if (this.network) return "NETWORK";
    const first = this.errors[0];
    return (first && first.extensions && first.extensions.code) || null;
  }

  /** Errors that name an input field, as { field: message }. */
  fieldErrors() {
    const found = {};
    for (const error of this.errors) {
      const field = error.extensions && error.extensions.field;
      if (field && !(field in found)) found[field] = error.message;
    }
    return found;
  }

  /** The first error's extensions (retryAfter of RATE_LIMITED, ...). */
  get extensions() {
    const first = this.errors[0];
    return (first && first.extensions) || {};
  }
}

// The contact a staff member previews, kept for the browser tab only (sessionStorage), so
// that moving between pages keeps the preview and closing the tab ends it.
export function previewTarget() {
  try {
    return sessionStorage.getItem(VIEW_AS_KEY);
  } catch {
    return null;
  }
}

export function setPreviewTarget(contactId) {
  try {
    if (contactId) sessionStorage.setItem(VIEW_AS_KEY, contactId);
    else sessionStorage.removeItem(VIEW_AS_KEY);
  } catch {
    // Storage refused (private mode): the preview lasts until the next full page load.
  }
}

// Each document's hash, computed once per page load (a promise, so concurrent calls share it).
const HASHES = new Map();

function sha256Hex(text) {
  let found = HASHES.get(text);
  if (!found) {
    found = crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then((digest) =>
      Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join(""),
    );
    HASHES.set(text, found);
  }
  return found;
}

function headers() {
  const sent = { "content-type": "application/json", accept: "application/json" };
  const target = previewTarget();
  if (target) sent["x-view-as-contact"] = target;
  return sent;
}

/**
 * Runs one operation and returns { data, errors, requestId }: for pages that accept a partial
 * answer (a flag-gated field answers null with FORBIDDEN at its path, the rest intact).
 * Throws ApiError when there is no data at all (refused request, network failure).
 */
export async function gqlPartial(document, variables = {}) {
  // Hashing needs a secure context (HTTPS, or localhost): elsewhere the page sends the text,
  // which the server finds registered all the same.
  const sent = globalThis.crypto && crypto.subtle
    ? { extensions: { persistedQuery: { version: 1, sha256Hash: await sha256Hex(document) } }, variables }
    : { query: document, variables };
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers: headers(),
      body: JSON.stringify(sent),
    });
  } catch (error) {
    throw new ApiError(String(error && error.message ? error.message : error), { network: true });
  }
  const requestId = response.headers.get("x-request-id");
  let body = null;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`HTTP ${response.status}`, { status: response.status, requestId });
  }
  const errors = (body && body.errors) || [];
  for (const error of errors) {
    // Every error gets an extensions object, so that callers need not check for one.
    if (!error.extensions) error.extensions = {};
  }
  const data = body ? body.data : null;
  if (response.status === 401 || (errors.length && errors[0].extensions.code === "UNAUTHENTICATED")) {
    const refused = new ApiError(errors.length ? errors[0].message : "Unauthenticated", {
      errors: errors.length ? errors : [{ message: "Unauthenticated", extensions: { code: "UNAUTHENTICATED" } }],
      requestId,
      status: response.status,
    });
    window.dispatchEvent(new CustomEvent("sportello:unauthenticated", { detail: refused }));
    throw refused;
  }
  if (data === null || data === undefined) {
    const message = errors.length ? errors[0].message : `HTTP ${response.status}`;
    throw new ApiError(message, { errors, requestId: requestId || firstRequestId(errors), status: response.status });
  }
  return { data, errors, requestId };
}

/** Runs one operation; any error makes it throw ApiError. Resolves to `data`. */
export async function gql(document, variables = {}) {
  const { data, errors, requestId } = await gqlPartial(document, variables);
  if (errors.length) {
    throw new ApiError(errors[0].message, { errors, requestId: requestId || firstRequestId(errors), status: 200 });
  }
  return data;
}

function firstRequestId(errors) {
  for (const error of errors) {
    if (error.extensions && error.extensions.requestId) return error.extensions.requestId;
  }
  return null;
}

/** The address of a list's CSV export with its filters (empty values left out). */
export function csvUrl(list, filters = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    if (value === null || value === undefined || value === "") continue;
    if (Array.isArray(value)) value.forEach((each) => query.append(name, each));
    else query.append(name, String(value));
  }
  const text = query.toString();
  return `/export/${encodeURIComponent(list)}.csv${text ? `?${text}` : ""}`;
}

/**
 * Downloads a list as CSV, filtered as the table on screen. Fetched (not a plain link) so that
 * a staff preview sends X-View-As-Contact and gets the contact's rows, and so that a refusal
 * shows as an error with its request id instead of a page of JSON.
 */
export async function downloadCsv(list, filters = {}) {
  return downloadFile(csvUrl(list, filters), `${list}.csv`);
}

/**
 * Fetches `url` with the session (and the staff preview's header) and saves the answer as
 * `fileName`; an error answer throws ApiError with the API's first error, as requests do.
 */
export async function downloadFile(url, fileName) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", headers: headers() });
  } catch (error) {
    throw new ApiError(String(error && error.message ? error.message : error), { network: true });
  }
  const requestId = response.headers.get("x-request-id");
  if (!response.ok) {
    let errors = [];
    try {
      errors = (await response.json()).errors || [];
    } catch {
      errors = [];
    }
    throw new ApiError(errors.length ? errors[0].message : `HTTP ${response.status}`, {
      errors,
      requestId,
      status: response.status,
    });
  }
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  return blob;
}
