"""Quotes and invoices in every status; amounts in cents, total = net + VAT."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from db.seed.context import Row, SeedContext, add_months
from db.seed.documents import attach
from db.seed.world import OrgWorld

QUOTE_STATUSES = ("DRAFT", "SENT", "ACCEPTED", "DECLINED", "EXPIRED")
# Every this-many invoices older than two months, one was voided (and reissued).
VOID_EVERY = 40


@dataclass
class _Bill:
    issued: dt.date
    client: Row
    site_id: uuid.UUID | None
    net_cents: int
    title: str


def _amounts(ctx: SeedContext, world: OrgWorld, net: int) -> dict[str, int]:
    vat = int((Decimal(net) * world.profile.vat_percent / 100).quantize(0, ROUND_HALF_UP))
    cost = net * ctx.between(50, 80) // 100
    return {"net_cents": net, "vat_cents": vat, "total_cents": net + vat, "cost_cents": cost}


def _quote_status(ctx: SeedContext, world: OrgWorld, issued: dt.date) -> str:
    age = (world.today - issued).days
    if age <= 10:
        return "DRAFT" if ctx.chance(0.4) else "SENT"
    if age <= 60:
        return ctx.rng.choices(QUOTE_STATUSES[1:], weights=(30, 35, 20, 15))[0]
    return ctx.rng.choices(QUOTE_STATUSES[2:], weights=(50, 25, 25))[0]


def build_quotes(ctx: SeedContext, world: OrgWorld) -> list[Row]:
    """Quotes over the history; the first client gets one in each status. Returns accepted ones."""
    first = world.clients[0]
    bills: list[tuple[_Bill, str | None]] = []
    for offset, status in zip((3, 8, 40, 50, 75), QUOTE_STATUSES, strict=True):
        bills.append(
            (_quote_bill(ctx, world, first, world.today - dt.timedelta(days=offset)), status)
        )
    history_days = (world.today - world.history_start).days
    for client in world.clients[1:]:
        for _ in range(ctx.rng.choices((0, 1, 2, 3), weights=(25, 40, 25, 10))[0]):
            issued = world.today - dt.timedelta(days=ctx.between(0, history_days))
            bills.append((_quote_bill(ctx, world, client, issued), None))
    bills.sort(key=lambda item: (item[0].issued, item[0].client["code"]))
    accepted: list[Row] = []
    prefix = world.profile.number_prefixes["quote"]
    for bill, forced in bills:
        status = forced or _quote_status(ctx, world, bill.issued)
        valid_until = bill.issued + dt.timedelta(days=ctx.pick((30, 60, 90)))
        if status == "SENT":
            valid_until = max(valid_until, world.today + dt.timedelta(days=5))
        elif status == "EXPIRED":
            valid_until = min(valid_until, world.today - dt.timedelta(days=1))
        year = bill.issued.year
        number = f"{prefix}-{year}-{world.next_number(f'quote-{year}'):04d}"
        row = ctx.add(
            "quote",
            {
                "id": ctx.new_id(),
                "created_at": min(world.now, world.at(bill.issued, 10 * 60)),
                "organization_id": world.id,
                "client_id": bill.client["id"],
                "site_id": bill.site_id,
                "number": number,
                "title": bill.title,
                "issued_on": bill.issued,
                "valid_until": valid_until,
                "status": status,
                **_amounts(ctx, world, bill.net_cents),
            },
        )
        if status == "ACCEPTED":
            accepted.append(row)
        if status != "DRAFT":
            _document(ctx, world, "quote_id", row, bill.client, "QUOTE", True, bill.title)
    return accepted


def _quote_bill(ctx: SeedContext, world: OrgWorld, client: Row, issued: dt.date) -> _Bill:
    sites = world.sites_by_client[client["id"]]
    site_id = ctx.pick(sites).id if ctx.chance(0.6) else None
    title = ctx.pick(world.profile.quote_titles)
    return _Bill(issued, client, site_id, ctx.cents(300, 15_000), title)


def build_invoices(ctx: SeedContext, world: OrgWorld, accepted: list[Row]) -> None:
    """Monthly invoices of each contract, plus one invoice per accepted quote."""
    clients = {row["id"]: row for row in world.clients}
    bills: list[_Bill] = []
    contracts = ctx.rows["contract"]
    this_month = world.today.replace(day=1)
    for contract in contracts:
        if contract["organization_id"] != world.id:
            continue
        fee = ctx.cents(150, 2_500)
        month = max(world.history_start, contract["starts_on"].replace(day=1))
        while month <= this_month and month <= contract["expires_on"]:
            issued = min(world.today, add_months(month, 1) - dt.timedelta(days=1))
            client = clients[contract["client_id"]]
            bills.append(_Bill(issued, client, contract["site_id"], fee, contract["kind"]))
            month = add_months(month, 1)
    for quote in accepted:
        issued = min(world.today, quote["issued_on"] + dt.timedelta(days=ctx.between(15, 45)))
        client = clients[quote["client_id"]]
        bills.append(_Bill(issued, client, quote["site_id"], quote["net_cents"], quote["title"]))
    bills.sort(key=lambda bill: (bill.issued, bill.client["code"], str(bill.site_id)))
    prefix = world.profile.number_prefixes["invoice"]
    old = 0
    for bill in bills:
        age = (world.today - bill.issued).days
        paid_on = None
        if bill.issued >= this_month and age <= 0:
            status = "DRAFT"
        elif age <= 60:
            status = "PAID" if ctx.chance(0.5) else "CLOSED"
        else:
            old += 1
            status = "VOID" if old % VOID_EVERY == 0 else "PAID" if ctx.chance(0.94) else "CLOSED"
        if status == "PAID":
            paid_on = min(world.today, bill.issued + dt.timedelta(days=ctx.between(5, 60)))
        year = bill.issued.year
        row = ctx.add(
            "invoice",
            {
                "id": ctx.new_id(),
                "created_at": min(world.now, world.at(bill.issued, 9 * 60)),
                "organization_id": world.id,
                "client_id": bill.client["id"],
                "site_id": bill.site_id,
                "number": f"{prefix}-{year}/{world.next_number(f'invoice-{year}'):05d}",
                "issued_on": bill.issued,
                "due_on": bill.issued + dt.timedelta(days=ctx.pick((30, 60))),
                "paid_on": paid_on,
                "status": status,
                **_amounts(ctx, world, bill.net_cents),
            },
        )
        if status != "DRAFT":
            _document(
                ctx, world, "invoice_id", row, bill.client, "INVOICE", status != "VOID", bill.title
            )


def _document(
    ctx: SeedContext,
    world: OrgWorld,
    owner: str,
    row: Row,
    client: Row,
    kind: str,
    visible: bool,
    title: str,
) -> None:
    total = Decimal(row["total_cents"]) / 100
    attach(
        ctx,
        world,
        owner=owner,
        owner_id=row["id"],
        client=client,
        site_id=row["site_id"],
        kind=kind,
        reference=row["number"],
        when=row["created_at"],
        visible=visible,
        details=(title, f"EUR {total:.2f}"),
    )
