// The evidence pack of a site (GET /evidence/<site>.zip, docs/portal-extras.md): a period,
// the last 12 months unless changed, and a button that downloads the ZIP of the site's
// documents of that period. Drawn in the dashboard's box.
import { ApiError, downloadFile } from "../api.js";
import { dayOf, field, formMessage, h, onSubmit, showFieldErrors } from "../ui.js";

/** The ZIP of the site's documents of a period (GET /evidence/<site>.zip), fetched so that a
 * staff preview sends X-View-As-Contact and a period past the bound shows next to its field. */
function downloadEvidence(siteId, from, to) {
  const query = new URLSearchParams({ from, to });
  return downloadFile(`/evidence/${encodeURIComponent(siteId)}.zip?${query}`, `evidence-${from}-${to}.zip`);
}

/** The evidence pack's period (the last 12 months unless changed) and its download button. */
export function evidenceForm(site, ctx) {
  const { t } = ctx;
  const to = dayOf(new Date());
  const [year, month, day] = to.split("-").map(Number);
  const from = new Date(Date.UTC(year - 1, month - 1, day + 1)).toISOString().slice(0, 10);
  const fromInput = h("input", { type: "date", name: "from", value: from, required: true });
  const toInput = h("input", { type: "date", name: "to", value: to, required: true });
  const button = h("button", { type: "submit" }, t("dashboard.evidenceDownload"));
  const message = formMessage();
  const form = h(
    "form",
    { class: "evidence", "aria-label": t("dashboard.evidence") },
    h("p", { class: "item-meta" }, t("dashboard.evidenceHint")),
    field(t("dashboard.evidenceFrom"), fromInput),
    field(t("dashboard.evidenceTo"), toInput),
    button,
    message,
  );
  onSubmit(form, message, async () => {
    button.disabled = true;
    try {
      await downloadEvidence(site.id, fromInput.value, toInput.value);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== "BAD_USER_INPUT") {
        ctx.showError(error);
        return;
      }
      const left = showFieldErrors(form, error);
      if (left.length) message.show(left.join(" "));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
