"""README "A new company, step by step": from an empty database to a contact reading their
first signed work sheet, with the CLI and the staff API only (no seed, no SQL)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import sqlalchemy as sa

from db.engine import create_engine
from tests.conftest import MakeClient
from tests.sportello.test_cli import sportello

ORIGIN = {"origin": "http://127.0.0.1:8000"}
ACCEPT = """mutation($token: String!, $pw: String!) {
  acceptInvitation(token: $token, password: $pw) { token } }"""


class Caller:
    def __init__(self, client: httpx.AsyncClient, token: str | None = None) -> None:
        self.client = client
        self.token = token

    async def data(self, query: str, **variables: Any) -> Any:
        headers = ORIGIN | ({"authorization": f"Bearer {self.token}"} if self.token else {})
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def accept(self, token: str, password: str) -> Caller:
        accepted = await self.data(ACCEPT, token=token, pw=password)
        return Caller(self.client, accepted["acceptInvitation"]["token"])


async def mailed_token(database_url: str, to: str) -> str:
    """The link token of the invitation queued for ``to`` (what the worker would send)."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as db:
            body = await db.scalar(
                sa.text("SELECT body_text FROM outbox_message WHERE to_address = :to"), {"to": to}
            )
    finally:
        await engine.dispose()
    found = re.search(r"#token=(\S+)", body)
    assert found, body
    return unquote(found.group(1))


async def test_from_an_empty_database_to_a_contact_reading_a_signed_work_sheet(
    tmp_path: Path, database_url: str, make_client: MakeClient
) -> None:
    # 1. The organization and its administrator (the CLI prints the administrator's link).
    created = sportello(
        "create-organization",
        *("--slug", "clima-sud", "--name", "Clima Sud Srl"),
        *("--admin-email", "ada@climasud.example", "--admin-first-name", "Ada"),
        *("--admin-last-name", "Russo", "--time-zone", "Europe/Rome"),
        cwd=tmp_path,
        DATABASE_URL=database_url,
    )
    assert created.returncode == 0, created.stderr
    link = re.search(r"#token=(\S+)", created.stdout)
    assert link, created.stdout
    anonymous = Caller(await make_client(database_url, data_dir=tmp_path))
    admin = await anonymous.accept(unquote(link.group(1)), "a long admin password 2026")

    # 2. Settings, a client with a site, an activity type and a technician with that skill.
    await admin.data(
        """mutation { updateOrganizationSettings(input: {
             infoText: "Assistenza: 081 555 0101", bookingMinLeadHours: 48 }) { name } }"""
    )
    client = (
        await admin.data(
            """mutation { createClient(input: {code: "C-001", name: "Condominio Aurora",
                 email: "amministrazione@aurora.example"}) { id } }"""
        )
    )["createClient"]["id"]
    site = (
        await admin.data(
            """mutation($client: ID!) { createSite(input: {clientId: $client,
                 name: "Aurora scala A", address: "Via Toledo 12", postalCode: "80134",
                 city: "Napoli", province: "NA", lat: "40.8448", lng: "14.2488"}) { id } }""",
            client=client,
        )
    )["createSite"]["id"]
    activity = (
        await admin.data(
            """mutation { createActivityType(input: {name: "Manutenzione caldaia",
                 kind: MAINTENANCE, durationMinutes: 90, portalVisible: true,
                 portalTitle: "Manutenzione a {site.name}"}) { id } }"""
        )
    )["createActivityType"]["id"]
    technician = (
        await admin.data(
            """mutation { createStaffUser(input: {firstName: "Marco", lastName: "Esposito",
                 email: "marco@climasud.example", role: TECHNICIAN}) { id } }"""
        )
    )["createStaffUser"]["id"]
    await admin.data(
        """mutation($t: ID!, $a: ID!) { setTechnicianSkills(technicianId: $t,
             activityTypeIds: [$a]) { id } }""",
        t=technician,
        a=activity,
    )

    # 3. The client's contact, invited by email (the link in the queued message).
    await admin.data(
        """mutation($client: ID!) { createPortalAccess(input: {firstName: "Lucia",
             lastName: "Bianchi", email: "lucia@aurora.example", clientIds: [$client],
             flags: {receivesSignedWorksheets: true}}) { id } }""",
        client=client,
    )
    contact = await anonymous.accept(
        await mailed_token(database_url, "lucia@aurora.example"), "a long contact password 26"
    )

    # 4. A visit yesterday, its work sheet, signed.
    yesterday = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0) - dt.timedelta(
        days=1
    )
    appointment = (
        await admin.data(
            """mutation($site: ID!, $a: ID!, $t: ID!, $at: DateTime!) { createAppointment(
                 input: {siteId: $site, activityTypeId: $a, technicianId: $t, startsAt: $at})
                 { id status } }""",
            site=site,
            a=activity,
            t=technician,
            at=yesterday.isoformat(),
        )
    )["createAppointment"]
    assert appointment["status"] == "PLANNED"
    sheet = (
        await admin.data(
            """mutation($appointment: ID!, $day: Date!) { createWorkSheet(input: {
                 appointmentId: $appointment, date: $day,
                 description: "Pulizia bruciatore, analisi fumi", materials: "Guarnizione"})
                 { id number } }""",
            appointment=appointment["id"],
            day=yesterday.date().isoformat(),
        )
    )["createWorkSheet"]
    await admin.data(
        """mutation($id: ID!) { signWorkSheet(id: $id, signedBy: "Lucia Bianchi") { status } }""",
        id=sheet["id"],
    )

    # 5. The contact reads it, with its PDF.
    seen = await contact.data(
        """{ workSheets(first: 5) { edges { node { number status site { name }
             documents(first: 5) { edges { node { kind fileName } } } } } } }"""
    )
    [edge] = seen["workSheets"]["edges"]
    node = edge["node"]
    assert (node["number"], node["status"], node["site"]["name"]) == (
        sheet["number"],
        "SIGNED",
        "Aurora scala A",
    )
    kinds = [d["node"]["kind"] for d in node["documents"]["edges"]]
    assert kinds == ["WORK_SHEET_PDF"]
