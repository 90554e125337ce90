// /portal/book (seed 001): choose a site and a bookable activity, see the slots the planning
// assistant offers (best first: least added travel, then soonest) and book one. Each attempt
// carries its own idempotency key, sent again when the same attempt is retried after a lost
// answer. A slot taken meanwhile answers CONFLICT with fresh alternatives, offered in its place.
// /portal/book?reschedule=<appointment id> moves a visit the same way, where its activity type
// allows it; otherwise the reason is shown and nothing is offered.

import { ApiError } from "../api.js";
import { field, formMessage, formatDate, h, nodes, replace } from "../ui.js";
import { SITES_FIELD, dayStart, errorWithCode, failureText, fieldMessage, formatTime, isoWithOffset, newKey, rescheduleRefusal, siteSelect, sitesOf, today } from "./kit.js";

const WINDOW_DAYS = 14;
const CHOICES = `query BookingChoices {
  ${SITES_FIELD}
  activityTypes(first: 50, portalBookable: true) { edges { node { id name durationMinutes } } }
}`;
const TO_MOVE = `query BookingToMove($id: ID!) {
  appointment(id: $id) {
    id startsAt endsAt status
    site { id name }
    activityType { id name portalTitle durationMinutes rescheduleAllowedStatuses rescheduleMinLeadHours }
  }
}`;
const SLOTS = `query BookingSlots($site: ID!, $type: ID!, $from: DateTime!, $to: DateTime!) {
  availableSlots(site: $site, activityType: $type, from: $from, to: $to, first: 10) {
    startsAt endsAt technicianName addedTravelMinutes
  }
}`;
const BOOK = `mutation Book($input: BookAppointmentInput!) {
  bookAppointment(input: $input) { id startsAt endsAt status technician { displayName } site { name } activityType { name portalTitle } }
}`;
const MOVE = `mutation Move($id: ID!, $startsAt: DateTime!) {
  rescheduleAppointment(id: $id, startsAt: $startsAt) { id startsAt endsAt status technician { displayName } site { name } activityType { name portalTitle } }
}`;

function when(slot, lang) {
  return `${formatDate(slot.startsAt, lang, { weekday: "long", day: "numeric", month: "long" })}, ${formatTime(slot.startsAt, lang)}–${formatTime(slot.endsAt, lang)}`;
}

export async function render(main, ctx) {
  const { t, lang } = ctx;
  const moving = ctx.params.get("reschedule");
  main.append(h("h1", { id: "pg-book-title" }, moving ? t("book.rescheduleTitle") : t("book.title")));
  const message = formMessage();
  // Hidden while it holds nothing (its name is its heading, drawn with the slots).
  const slotsBox = h("section", { class: "pg-slots", "aria-labelledby": "pg-slots-title", hidden: true });
  const outcome = h("div", { class: "pg-outcome", role: "status" });

  let target = null; // {site, type} the slots are for
  let windowStart = today();
  // The attempt under way: its slot and key; a retry of the same slot reuses the key.
  let attempt = null;

  if (moving) {
    const data = await ctx.gql(TO_MOVE, { id: moving });
    const appointment = data.appointment;
    if (!appointment) {
      main.append(h("p", { class: "pg-notice", role: "status" }, t("book.notFound")));
      return;
    }
    const type = appointment.activityType;
    main.append(
      h(
        "div",
        { class: "pg-card" },
        h("h2", null, type?.portalTitle || type?.name || ""),
        h("p", { class: "pg-when" }, `${when(appointment, lang)} · ${appointment.site?.name ?? ""}`),
      ),
    );
    const refusal = rescheduleRefusal(appointment);
    if (refusal) {
      main.append(h("p", { class: "pg-refusal", role: "status" }, t(refusal, { hours: type?.rescheduleMinLeadHours ?? 0 })));
      return;
    }
    target = { site: appointment.site.id, type: type.id };
    main.append(message, slotsBox, outcome);
  } else {
    const data = await ctx.gql(CHOICES);
    const sites = sitesOf(data.sites);
    const types = nodes(data.activityTypes);
    if (!types.length) {
      main.append(h("p", { class: "pg-notice", role: "status" }, t("book.noTypes")));
      return;
    }
    const site = siteSelect(sites, ctx.params.get("site") || (sites.length === 1 ? sites[0].id : ""), {
      id: "pg-b-site",
      name: "site",
      chooseLabel: t("ticketNew.choose"),
    });
    const type = h("select", { name: "type" }, h("option", { value: "" }, t("ticketNew.choose")));
    for (const each of types) {
      type.append(h("option", { value: each.id }, t("book.typeOption", { name: each.name, minutes: each.durationMinutes })));
    }
    if (types.length === 1) type.value = types[0].id;
    const notes = h("textarea", { name: "notes", rows: 3, maxlength: 2000 });
    const siteField = field(t("ticketNew.site"), site);
    const typeField = field(t("book.activity"), type);
    const form = h(
      "form",
      { class: "pg-form", novalidate: true, "aria-labelledby": "pg-book-title" },
      siteField,
      typeField,
      field(t("book.notes"), notes, null, t("book.notesHint")),
      h("div", { class: "actions" }, h("button", { type: "submit" }, t("book.find"))),
    );
    main.append(form, message, slotsBox, outcome);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      siteField.setError(site.value ? null : t("lists.error.choose"));
      typeField.setError(type.value ? null : t("lists.error.choose"));
      if (!site.value || !type.value) {
        (site.value ? type : site).focus();
        return;
      }
      target = { site: site.value, type: type.value, notes };
      windowStart = today();
      loadSlots();
    });
  }

  async function loadSlots() {
    message.clear();
    outcome.replaceChildren();
    slotsBox.setAttribute("aria-busy", "true");
    const from = dayStart(windowStart);
    const until = dayStart(windowStart, WINDOW_DAYS);
    try {
      const data = await ctx.gql(SLOTS, { site: target.site, type: target.type, from: isoWithOffset(from), to: isoWithOffset(until) });
      drawSlots(data.availableSlots, t("book.slotsBetween", { from: formatDate(windowStart, lang), to: formatDate(isoDay(dayStart(windowStart, WINDOW_DAYS - 1)), lang) }));
    } catch (error) {
      ctx.showError(error);
    } finally {
      slotsBox.removeAttribute("aria-busy");
    }
  }

  function isoDay(moment) {
    return isoWithOffset(moment).slice(0, 10);
  }

  function slotList(slots) {
    const list = h("ol", { class: "pg-slot-list" });
    for (const slot of slots) {
      const button = h("button", { type: "button", class: "pg-slot-book", "aria-label": t(moving ? "book.moveAt" : "book.bookAt", { when: when(slot, lang) }) }, moving ? t("book.move") : t("book.book"));
      button.disabled = ctx.preview;
      button.addEventListener("click", () => choose(slot));
      const travel = slot.addedTravelMinutes != null ? t("book.travel", { n: slot.addedTravelMinutes }) : "";
      list.append(
        h(
          "li",
          { class: "pg-slot", "data-starts-at": slot.startsAt },
          h("div", null, h("strong", { class: "pg-slot-when" }, when(slot, lang)), h("span", { class: "pg-meta" }, [slot.technicianName, travel].filter(Boolean).join(" · "))),
          button,
        ),
      );
    }
    return list;
  }

  function drawSlots(slots, caption) {
    const earlier = h("button", { type: "button", class: "secondary" }, `‹ ${t("book.earlier")}`);
    earlier.disabled = windowStart <= today();
    earlier.addEventListener("click", () => {
      const moved = isoDay(dayStart(windowStart, -WINDOW_DAYS));
      windowStart = moved < today() ? today() : moved;
      loadSlots();
    });
    const later = h("button", { type: "button", class: "secondary" }, `${t("book.later")} ›`);
    later.addEventListener("click", () => {
      windowStart = isoDay(dayStart(windowStart, WINDOW_DAYS));
      loadSlots();
    });
    slotsBox.hidden = false;
    replace(
      slotsBox,
      h("h2", { id: "pg-slots-title" }, t("book.slots")),
      h("p", { class: "pg-meta" }, caption, " ", t("book.ranked")),
      slots.length ? slotList(slots) : h("p", { class: "pg-empty" }, t("book.noSlots")),
      h("nav", { class: "pager", "aria-label": t("book.periods") }, earlier, later),
    );
    if (ctx.preview) message.show(t("lists.previewReadOnly"), "info");
  }

  async function choose(slot) {
    if (!attempt || attempt.slot.startsAt !== slot.startsAt) attempt = { slot, key: newKey() };
    await send();
  }

  async function send() {
    const { slot, key } = attempt;
    message.clear();
    for (const button of slotsBox.querySelectorAll("button")) button.disabled = true;
    try {
      const answer = moving
        ? (await ctx.gql(MOVE, { id: moving, startsAt: slot.startsAt })).rescheduleAppointment
        : (
            await ctx.gql(BOOK, {
              input: { siteId: target.site, activityTypeId: target.type, startsAt: slot.startsAt, notes: target.notes?.value ?? "", idempotencyKey: key },
            })
          ).bookAppointment;
      attempt = null;
      booked(answer);
    } catch (error) {
      failed(error, slot);
    } finally {
      for (const button of slotsBox.querySelectorAll("button")) button.disabled = ctx.preview;
      const earlier = slotsBox.querySelector(".pager button");
      if (earlier) earlier.disabled = windowStart <= today();
    }
  }

  function booked(appointment) {
    const title = appointment.activityType?.portalTitle || appointment.activityType?.name || "";
    const month = appointment.startsAt.slice(0, 7);
    slotsBox.replaceChildren();
    slotsBox.hidden = true;
    outcome.replaceChildren(
      h("h2", { class: "pg-success", tabindex: "-1" }, moving ? t("book.moved") : t("book.booked")),
      h("p", { class: "pg-when" }, when(appointment, lang)),
      h(
        "p",
        { class: "pg-meta" },
        [title, title.includes(appointment.site?.name ?? "") ? null : appointment.site?.name, appointment.technician ? t("interventions.technician", { name: appointment.technician.displayName }) : null]
          .filter(Boolean)
          .join(" · "),
      ),
      h("p", null, h("a", { href: `/portal/interventions?month=${month}`, class: "button" }, t("book.toCalendar"))),
    );
    outcome.querySelector("h2").focus();
  }

  function failed(error, slot) {
    const conflict = errorWithCode(error, "CONFLICT");
    if (conflict) {
      // Taken meanwhile: the API's fresh alternatives replace the list (each a new attempt).
      attempt = null;
      const alternatives = (conflict.extensions.alternatives ?? []).map((each) => ({ ...each, technicianName: null }));
      slotsBox.hidden = false;
      replace(
        slotsBox,
        h("h2", { id: "pg-slots-title" }, t("book.alternatives")),
        h("p", { class: "pg-conflict", role: "alert" }, t("book.taken", { when: when(slot, lang) })),
        alternatives.length ? slotList(alternatives) : h("p", { class: "pg-empty" }, t("book.noSlots")),
        h("p", null, h("button", { type: "button", class: "secondary", onClick: () => loadSlots() }, t("book.allSlots"))),
      );
      slotsBox.querySelector(".pg-conflict").focus?.();
      return;
    }
    if (error instanceof ApiError && error.errors.length && !error.network && error.code !== "INTERNAL_SERVER_ERROR") {
      const problem = error.errors[0];
      attempt = null;
      message.show(problem.extensions?.code === "BAD_USER_INPUT" ? fieldMessage(t, problem.message) : problem.message);
      return;
    }
    // No answer: the same slot with the same key can be sent again.
    message.show([
      `${t("book.retryText")} ${failureText(t, error)} `,
      h("button", { type: "button", class: "secondary", onClick: () => send() }, t("book.retry")),
    ]);
  }

  if (target) await loadSlots();
}
