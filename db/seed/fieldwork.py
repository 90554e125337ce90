"""What technicians leave behind at a visit: clock-ins, work sheets and visit reports."""

from __future__ import annotations

import datetime as dt

from db.seed.context import SeedContext
from db.seed.documents import attach
from db.seed.world import OrgWorld, Visit

CLOCK_SOURCES = ("APP", "NFC", "QR", "MANUAL")
CLOCK_WEIGHTS = (70, 15, 12, 3)
# Work sheets of the last days are still waiting for the client's signature.
SIGNATURE_DELAY_DAYS = 2


def build_timesheets(ctx: SeedContext, world: OrgWorld) -> None:
    """One clock-in per visit done or under way; the visit under way has no clock-out yet."""
    for visit in world.visits:
        row = visit.row
        if row["status"] not in ("DONE", "IN_PROGRESS") or visit.technician is None:
            continue
        clock_in = row["starts_at"] + dt.timedelta(seconds=ctx.between(-8 * 60, 12 * 60))
        clock_out = None
        if row["status"] == "IN_PROGRESS":
            clock_in = min(clock_in, world.now - dt.timedelta(minutes=1))
        else:
            clock_out = row["ends_at"] + dt.timedelta(seconds=ctx.between(-10 * 60, 20 * 60))
            clock_out = max(clock_out, clock_in + dt.timedelta(minutes=15))
        source = ctx.rng.choices(CLOCK_SOURCES, weights=CLOCK_WEIGHTS)[0]
        manual = source == "MANUAL"
        ctx.add(
            "timesheet_entry",
            {
                "id": ctx.new_id(),
                "created_at": clock_out + dt.timedelta(days=1)
                if manual and clock_out
                else clock_in,
                "organization_id": world.id,
                "client_id": row["client_id"],
                "site_id": row["site_id"],
                "technician_id": visit.technician.id,
                "intervention_id": row["id"],
                "clock_in": clock_in,
                "clock_out": clock_out,
                "source": source,
                "lat": None if manual else ctx.jitter_coord(visit.site.lat, 0.0005),
                "lng": None if manual else ctx.jitter_coord(visit.site.lng, 0.0005),
                "internal_notes": world.profile.wording.manual_clock_note if manual else "",
            },
        )


def build_work_sheets(ctx: SeedContext, world: OrgWorld) -> None:
    """A work sheet per visit other than routine cleaning; signed ones carry their PDF."""
    routine = world.profile.routine_activity
    visits = [
        v
        for v in world.visits
        if v.row["status"] in ("DONE", "IN_PROGRESS") and v.activity.spec.name != routine
    ]
    visits.sort(key=lambda v: (v.row["starts_at"], v.row["id"]))
    for visit in visits:
        _work_sheet(ctx, world, visit)
        done = visit.row["status"] == "DONE"
        if done and visit.activity.spec.kind in ("CORRECTIVE", "INSTALLATION") and ctx.chance(0.3):
            row = visit.row
            attach(
                ctx,
                world,
                owner="intervention_id",
                owner_id=row["id"],
                client=visit.site.client,
                site_id=visit.site.id,
                kind="OTHER",
                reference=f"{visit.site.client['code']}-{row['starts_at']:%Y%m%d}",
                when=row["ends_at"],
                visible=True,
                details=(visit.activity.spec.name, visit.site.row["name"]),
            )


def _work_sheet(ctx: SeedContext, world: OrgWorld, visit: Visit) -> None:
    wording = world.profile.wording
    row = visit.row
    work_date = row["starts_at"].astimezone(world.zone).date()
    year = work_date.year
    number = f"{world.profile.number_prefixes['work_sheet']}-{year}-"
    number += f"{world.next_number(f'work_sheet-{year}'):06d}"
    signed = (
        row["status"] == "DONE"
        and (world.today - work_date).days > SIGNATURE_DELAY_DAYS
        and ctx.chance(0.97)
    )
    signer = None
    signed_at = None
    if signed:
        contacts = world.site_contacts.get(visit.site.id, [])
        if contacts and ctx.chance(0.5):
            person = ctx.pick(contacts)
            signer = f"{person['first_name']} {person['last_name']}"
        else:
            signer = f"{ctx.pick(world.profile.first_names)} {ctx.pick(world.profile.last_names)}"
        signed_at = row["ends_at"] + dt.timedelta(minutes=ctx.between(2, 40))
    materials: list[str] = []
    if visit.activity.spec.kind not in ("INSPECTION", "SURVEY"):
        materials = ctx.rng.sample(wording.materials, ctx.between(0, 3))
    sheet = ctx.add(
        "work_sheet",
        {
            "id": ctx.new_id(),
            "created_at": row["ends_at"] if row["status"] == "DONE" else row["starts_at"],
            "organization_id": world.id,
            "client_id": row["client_id"],
            "site_id": row["site_id"],
            "intervention_id": row["id"],
            "number": number,
            "work_date": work_date,
            "description": ctx.pick(wording.work_done).format(activity=visit.activity.spec.name),
            "materials": ", ".join(f"{ctx.between(1, 6)} x {item}" for item in materials),
            "status": "SIGNED" if signed else "DRAFT",
            "signed_by": signer,
            "signed_at": signed_at,
            "internal_notes": ctx.pick(wording.remarks) if ctx.chance(0.15) else "",
        },
    )
    if signed_at is not None and signer is not None:
        attach(
            ctx,
            world,
            owner="work_sheet_id",
            owner_id=sheet["id"],
            client=visit.site.client,
            site_id=visit.site.id,
            kind="WORK_SHEET_PDF",
            reference=number,
            when=signed_at,
            visible=True,
            details=(visit.activity.spec.name, visit.site.row["name"], signer),
        )
