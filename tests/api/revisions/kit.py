"""The revision mutations, a place to plan them at, and the inputs and records their tests use."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

from schema.kit import ids
from tests.api import Demo

ITEMS = (
    "items { edges { node { outcome notes equipment { id lastResult { outcome performedAt } } } } }"
)


FIELDS = (
    f"id dueMonth plannedDate performedAt result cancelledAt notes contractId site {{ id }} {ITEMS}"
)


CREATE = f"""mutation($input: CreateRevisionInput!) {{
  createRevision(input: $input) {{ {FIELDS} }} }}"""


UPDATE = f"""mutation($id: ID!, $input: UpdateRevisionInput!) {{
  updateRevision(id: $id, input: $input) {{ {FIELDS} }} }}"""


RECORD = f"""mutation($id: ID!, $input: RevisionResultInput!) {{
  recordRevisionResult(id: $id, input: $input) {{ {FIELDS} }} }}"""


CORRECT = f"""mutation($id: ID!, $input: RevisionResultInput!, $reason: String!) {{
  correctRevisionResult(id: $id, input: $input, reason: $reason) {{ {FIELDS} }} }}"""


CANCEL = f"""mutation($id: ID!, $reason: String!) {{
  cancelRevision(id: $id, reason: $reason) {{ {FIELDS} }} }}"""


EQUIPMENT = """mutation($input: CreateEquipmentInput!) { createEquipment(input: $input) { id } }"""


CONTRACT = """mutation($input: CreateContractInput!) { createContract(input: $input) { id } }"""


TECHNICIAN = """SELECT s.id FROM staff_user s JOIN organization o ON o.id = s.organization_id
  WHERE o.slug = :o AND s.role = :r AND s.active ORDER BY s.id LIMIT 1"""


@dataclasses.dataclass(frozen=True)
class Place:
    """A contact's site with two pieces of equipment, a contract and a technician to name."""

    client: str
    site: str
    equipment: tuple[str, str]
    contract: str
    technician: str


def performed(days_ago: float = 1) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)).isoformat()


async def place(demo: Demo, org: str = "brillanti") -> Place:
    """A site the "contact of one client" sees (for brillanti), ready for a revision."""
    reader = await demo.as_("contact of one client" if org == "brillanti" else "staff admin", org)
    node = (await demo.data("{ sites(first: 1) { edges { node { id client { id } } } } }", reader))[
        "sites"
    ]["edges"][0]["node"]
    admin = await demo.as_("staff admin", org)
    pieces = [
        (
            await demo.data(
                EQUIPMENT,
                admin,
                input={"siteId": node["id"], "kind": kind, "installedOn": "2020-01-01"},
            )
        )["createEquipment"]["id"]
        for kind in ("Estintore", "Idrante")
    ]
    contract = await demo.data(
        CONTRACT,
        admin,
        input={
            "clientId": node["client"]["id"],
            "siteId": node["id"],
            "number": f"REV-{uuid.uuid4().hex[:8]}",
            "kind": "Antincendio",
            "startsOn": "2026-01-01",
            "expiresOn": "2027-12-31",
        },
    )
    technician = await demo.scalar(TECHNICIAN, o=org, r="TECHNICIAN")
    return Place(
        client=node["client"]["id"],
        site=node["id"],
        equipment=(pieces[0], pieces[1]),
        contract=contract["createContract"]["id"],
        technician=ids.encode("StaffUser", technician),
    )


def plan(where: Place, **changes: Any) -> dict[str, Any]:
    return {
        "siteId": where.site,
        "dueMonth": "2000-01-01",  # the earliest at the site: its next revision
        "contractId": where.contract,
        "plannedDate": "2000-01-12",
        "technicianId": where.technician,
        "notes": "Chiavi in portineria",
    } | changes


def result(where: Place, **changes: Any) -> dict[str, Any]:
    first, second = where.equipment
    return {
        "performedAt": performed(),
        "result": "PASS_WITH_REMARKS",
        "items": [
            {"equipmentId": first, "outcome": "COMPLIANT", "notes": ""},
            {"equipmentId": second, "outcome": "NOT_CHECKED", "notes": "Locale chiuso"},
        ],
    } | changes


async def planned(demo: Demo, where: Place, **changes: Any) -> dict[str, Any]:
    data = await demo.data(CREATE, await demo.as_("staff admin"), input=plan(where, **changes))
    found: dict[str, Any] = data["createRevision"]
    return found


async def written(demo: Demo) -> tuple[int, int, int, int]:
    """Revisions, items, performed or cancelled revisions, audit events: what a refusal keeps."""
    return (
        await demo.scalar("SELECT count(*) FROM revision"),
        await demo.scalar("SELECT count(*) FROM revision_item"),
        await demo.scalar(
            "SELECT count(*) FROM revision WHERE performed_at IS NOT NULL "
            "OR cancelled_at IS NOT NULL"
        ),
        await demo.scalar("SELECT count(*) FROM audit_event"),
    )
