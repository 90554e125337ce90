// /portal/tickets/new (seed 003): the open-ticket form. Department, site, reference person and
// notes are required; the asset list holds only the chosen site's equipment (reloaded when the
// site changes). The API validates: its BAD_USER_INPUT errors are shown next to the field they
// name and nothing typed is cleared. One idempotency key per attempt, sent again on a retry
// after a lost answer, so a ticket is never opened twice.

import { ApiError } from "../api.js";
import { field, formMessage, formatDateTime, h, nodes, onSubmit } from "../ui.js";
import { SITES_FIELD, failureText, fieldMessage, label, newKey, siteSelect, sitesOf } from "./kit.js";

const FORM_DATA = `query TicketForm {
  ${SITES_FIELD}
  departments(first: 100) { edges { node { id name } } }
}`;
const SITE_EQUIPMENT = `query TicketFormEquipment($site: ID!) {
  equipment(first: 100, siteId: $site) { edges { node { id kind model location serialNumber } } }
}`;
const OPEN_TICKET = `mutation OpenTicket($input: OpenTicketInput!) {
  openTicket(input: $input) { id number status urgency openedAt site { name } }
}`;
const URGENCIES = ["LOW", "NORMAL", "HIGH", "CRITICAL"];

function equipmentName(item) {
  return [item.kind, item.model, item.location, item.serialNumber].filter(Boolean).join(" · ");
}

export async function render(main, ctx) {
  const { t } = ctx;
  main.append(h("h1", { id: "pg-ticket-title" }, t("ticketNew.title")));
  const data = await ctx.gql(FORM_DATA);
  const sites = sitesOf(data.sites);
  const departments = nodes(data.departments);
  const preset = ctx.params.get("site");

  const required = (text) => `${text} *`;
  const department = h("select", { name: "departmentId", required: true, "aria-required": "true" }, h("option", { value: "" }, t("ticketNew.choose")));
  for (const each of departments) department.append(h("option", { value: each.id }, each.name));
  if (departments.length === 1) department.value = departments[0].id;
  const site = siteSelect(sites, preset || (sites.length === 1 ? sites[0].id : ""), {
    id: "pg-n-site",
    name: "siteId",
    chooseLabel: t("ticketNew.choose"),
  });
  site.required = true;
  site.setAttribute("aria-required", "true");
  const equipment = h("select", { name: "equipmentId" }, h("option", { value: "" }, t("ticketNew.noAsset")));
  const reference = h("input", { name: "referencePerson", type: "text", autocomplete: "name", required: true, "aria-required": "true", maxlength: 200 });
  reference.value = `${ctx.viewer?.firstName ?? ""} ${ctx.viewer?.lastName ?? ""}`.trim();
  const phone = h("input", { name: "phone", type: "tel", autocomplete: "tel", maxlength: 40 });
  const notes = h("textarea", { name: "notes", rows: 5, required: true, "aria-required": "true", maxlength: 4000 });
  const urgency = h("select", { name: "urgency" });
  for (const value of URGENCIES) urgency.append(h("option", { value, selected: value === "NORMAL" }, label(t, "TicketUrgency", value)));

  const fields = {
    departmentId: field(required(t("ticketNew.department")), department),
    siteId: field(required(t("ticketNew.site")), site),
    equipmentId: field(t("ticketNew.asset"), equipment, null, t("ticketNew.assetHint")),
    referencePerson: field(required(t("ticketNew.reference")), reference),
    phone: field(t("ticketNew.phone"), phone),
    notes: field(required(t("ticketNew.notes")), notes),
    urgency: field(t("ticketNew.urgency"), urgency, null, t("ticketNew.urgencyHint")),
  };
  const message = formMessage();
  const submit = h("button", { type: "submit" }, t("ticketNew.submit"));
  const form = h(
    "form",
    { class: "pg-form", novalidate: true, "aria-labelledby": "pg-ticket-title" },
    h("p", { class: "pg-hint" }, t("ticketNew.requiredHint")),
    h("p", { class: "pg-opened" }, t("ticketNew.openedAt", { when: formatDateTime(new Date().toISOString(), ctx.lang) })),
    ...Object.values(fields),
    message,
    h("div", { class: "actions" }, submit),
  );
  const outcome = h("div", { class: "pg-outcome", role: "status" });
  main.append(form, outcome);
  if (ctx.preview) {
    // Staff previewing as the contact see the form but cannot act for them.
    submit.disabled = true;
    message.show(t("lists.previewReadOnly"), "info");
  }

  // The asset list follows the site; a choice still offered at the new site is kept.
  let equipmentRequest = 0;
  async function loadEquipment() {
    const ticket = ++equipmentRequest;
    const kept = equipment.value;
    equipment.replaceChildren(h("option", { value: "" }, t("ticketNew.noAsset")));
    equipment.disabled = !site.value;
    if (!site.value) return;
    equipment.setAttribute("aria-busy", "true");
    try {
      const found = await ctx.gql(SITE_EQUIPMENT, { site: site.value });
      if (ticket !== equipmentRequest) return;
      for (const item of nodes(found.equipment)) {
        equipment.append(h("option", { value: item.id, selected: item.id === kept }, equipmentName(item)));
      }
    } catch (error) {
      ctx.showError(error);
    } finally {
      if (ticket === equipmentRequest) equipment.removeAttribute("aria-busy");
    }
  }
  site.addEventListener("change", loadEquipment);
  await loadEquipment();

  // The key of the attempt under way: kept while the same input is retried after a lost
  // answer, renewed when the input changes (the next click is another attempt).
  let key = newKey();
  form.addEventListener("input", () => {
    key = newKey();
  });

  onSubmit(form, message, async () => {
    // The two choices are checked here: the API answers an empty id as a missing record, not
    // as a field error. The texts are the API's to judge.
    let missing = null;
    for (const [name, control] of [["departmentId", department], ["siteId", site]]) {
      if (!control.value) {
        fields[name].setError(t("lists.error.choose"));
        missing = missing ?? control;
      }
    }
    if (missing) {
      missing.focus();
      return;
    }
    const input = {
      siteId: site.value,
      departmentId: department.value,
      equipmentId: equipment.value || null,
      referencePerson: reference.value,
      phone: phone.value.trim() ? phone.value : null,
      notes: notes.value,
      urgency: urgency.value,
      idempotencyKey: key,
    };
    submit.disabled = true;
    try {
      const answer = await ctx.gql(OPEN_TICKET, { input });
      const opened = answer.openTicket;
      form.hidden = true;
      outcome.replaceChildren(
        h("h2", { class: "pg-success" }, t("ticketNew.opened", { number: opened.number })),
        h("p", null, t("ticketNew.openedDetail", { site: opened.site?.name ?? "", urgency: label(t, "TicketUrgency", opened.urgency) })),
        h("p", { class: "actions" }, h("a", { href: "/portal/tickets", class: "button" }, t("ticketNew.toList")), " ", h("a", { href: "/portal/tickets/new", class: "button secondary" }, t("ticketNew.another"))),
      );
      outcome.querySelector("h2").setAttribute("tabindex", "-1");
      outcome.querySelector("h2").focus();
    } catch (error) {
      showFailure(error);
    } finally {
      submit.disabled = ctx.preview;
    }
  });

  function showFailure(error) {
    if (!(error instanceof ApiError) || error.network || error.code === "INTERNAL_SERVER_ERROR") {
      // Nothing is known to be saved: the same key goes with the retry (the same button).
      message.show(`${t("ticketNew.retry")} ${failureText(t, error)}`);
      return;
    }
    let first = null;
    for (const each of error.errors) {
      const code = each.extensions?.code;
      let name = code === "BAD_USER_INPUT" ? each.extensions.field : null;
      // An id that is not (or no longer) among the contact's: NOT_FOUND "No such site." ...
      if (!name && code === "NOT_FOUND") name = /equipment/.test(each.message) ? "equipmentId" : /site/.test(each.message) ? "siteId" : null;
      const target = name && fields[name];
      if (target) {
        target.setError(code === "NOT_FOUND" ? t("lists.error.notOffered") : fieldMessage(t, each.message));
        first = first ?? target.querySelector("input, select, textarea");
      } else {
        message.show(each.message);
      }
    }
    if (first) first.focus();
  }
}
