"""Quarterly revisions of contract sites: performed ones with per-equipment results, next ones."""

from __future__ import annotations

import datetime as dt

from db.seed.context import Row, SeedContext, add_months
from db.seed.documents import attach
from db.seed.world import OrgWorld, SiteRef

# Months between two revisions of a site.
INTERVAL_MONTHS = 3
OUTCOMES = ("COMPLIANT", "NON_COMPLIANT", "NOT_CHECKED")
OUTCOME_WEIGHTS = (90, 6, 4)


def build_revisions(ctx: SeedContext, world: OrgWorld) -> None:
    """For each site under contract: past revisions (mostly performed) and the next one."""
    this_month = world.today.replace(day=1)
    for site in world.sites:
        contract = world.contract_by_site.get(site.id)
        if contract is None:
            continue
        first = max(contract["starts_on"], world.history_start).replace(day=1)
        last = min(contract["expires_on"], world.horizon).replace(day=1)
        month = add_months(first, ctx.between(0, INTERVAL_MONTHS - 1))
        while month <= last:
            _revision(ctx, world, site, contract, month, this_month)
            if month > this_month:
                break  # only the next revision is known ahead
            month = add_months(month, INTERVAL_MONTHS)


def _working_day_in(
    ctx: SeedContext, month: dt.date, earliest: dt.date, latest: dt.date
) -> dt.date:
    """A weekday of ``month`` between ``earliest`` and ``latest`` (or ``earliest``)."""
    days = [
        month + dt.timedelta(days=offset)
        for offset in range(31)
        if (month + dt.timedelta(days=offset)).month == month.month
    ]
    choices = [day for day in days if day.weekday() < 5 and earliest <= day <= latest]
    return ctx.pick(choices) if choices else earliest


def _revision(
    ctx: SeedContext,
    world: OrgWorld,
    site: SiteRef,
    contract: Row,
    month: dt.date,
    this_month: dt.date,
) -> None:
    technician = ctx.pick(site.technicians)
    yesterday = world.today - dt.timedelta(days=1)
    performed_on: dt.date | None = None
    planned: dt.date | None = None
    if month < this_month:
        if ctx.chance(0.95) or month < add_months(this_month, -3):
            performed_on = _working_day_in(ctx, month, month, yesterday)
        elif ctx.chance(0.6):
            planned = world.today + dt.timedelta(days=ctx.between(3, 20))
    elif month == this_month and ctx.chance(0.5) and world.today.day > 3:
        performed_on = _working_day_in(ctx, month, month, yesterday)
    elif ctx.chance(0.7):
        planned = _working_day_in(
            ctx, month, max(month, world.today + dt.timedelta(days=1)), add_months(month, 1)
        )
    performed_at = None
    if performed_on is not None:
        performed_at = world.at(performed_on, ctx.between(8 * 60, 16 * 60))
    row = ctx.add(
        "revision",
        {
            "id": ctx.new_id(),
            "created_at": min(world.now, world.at(month - dt.timedelta(days=20), 9 * 60)),
            "organization_id": world.id,
            "client_id": site.client["id"],
            "site_id": site.id,
            "contract_id": contract["id"],
            "technician_id": technician.id,
            "due_month": month,
            "planned_date": planned if planned is not None else performed_on,
            "performed_at": performed_at,
            "result": None,
            "notes": ctx.pick(world.profile.wording.revision_notes),
        },
    )
    if performed_at is not None:
        _perform(ctx, world, site, row, performed_at)


def _perform(
    ctx: SeedContext, world: OrgWorld, site: SiteRef, revision: Row, when: dt.datetime
) -> None:
    """Items for the equipment installed by then, the result, and the documents."""
    remarks = world.profile.wording.remarks
    counts = dict.fromkeys(OUTCOMES, 0)
    for equipment in world.equipment_by_site.get(site.id, []):
        installed = equipment["installed_on"]
        if installed is not None and installed > when.date():
            continue
        outcome = ctx.rng.choices(OUTCOMES, weights=OUTCOME_WEIGHTS)[0]
        counts[outcome] += 1
        ctx.add(
            "revision_item",
            {
                "id": ctx.new_id(),
                "created_at": when,
                "organization_id": world.id,
                "client_id": site.client["id"],
                "site_id": site.id,
                "revision_id": revision["id"],
                "equipment_id": equipment["id"],
                "outcome": outcome,
                "notes": ctx.pick(remarks) if outcome != "COMPLIANT" else "",
            },
        )
    if counts["NON_COMPLIANT"] >= 2:
        result = "FAIL"
    elif counts["NON_COMPLIANT"] or counts["NOT_CHECKED"]:
        result = "PASS_WITH_REMARKS"
    else:
        result = "PASS"
    revision["result"] = result
    reference = f"{site.client['code']}-{revision['due_month']:%Y%m}"
    details = (site.row["name"], site.row["address"], result)
    later = when + dt.timedelta(hours=2)
    documents = [("CHECKLIST", True)]
    if result != "FAIL":
        documents.append(("MAINTENANCE_CERTIFICATE", True))
    if counts["NON_COMPLIANT"]:
        documents.append(("INCIDENT_REPORT", ctx.chance(0.6)))
    for kind, visible in documents:
        attach(
            ctx,
            world,
            owner="revision_id",
            owner_id=revision["id"],
            client=site.client,
            site_id=site.id,
            kind=kind,
            reference=reference,
            when=later,
            visible=visible,
            details=details,
        )
