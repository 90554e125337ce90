"""Cross-tenant downloads and uploads: the CSV export filters, the files route and its
download links, and the portal preview header, given ids of another organization or of
another client, answer as for an id that does not exist and show nothing of the other
tenant."""

from __future__ import annotations

import httpx
import pytest

from sportello.exports import EXPORTS
from tests.security import tenancy
from tests.security.conftest import OTHER, Live
from tests.security.tenancy import (
    Actors,
    Principal,
    body_of,
    foreign_records,
    nonexistent_like,
    records,
    records_outside,
    shape,
)

SERVER_ENVIRONMENT = tenancy.SERVER_ENVIRONMENT


def export_filters() -> list[tuple[str, str]]:
    """(export, id filter) for every export taking a client or site id."""
    return [
        (name, parameter)
        for name, export in sorted(EXPORTS.items())
        for parameter in sorted(export.parameters)
        if parameter in {"clientId", "siteId"}
    ]


REPORT_PERIOD = {"from": "2025-11-24", "to": "2026-11-23"}


async def download(live: Live, me: Principal, name: str, params: dict[str, str]) -> httpx.Response:
    """GET /export/<name>.csv with a bearer token; reports get a year's period."""
    if "from" in EXPORTS[name].parameters:
        params = REPORT_PERIOD | params
    return await live.request(
        "GET",
        f"/export/{name}.csv",
        params=params,
        headers={"authorization": f"Bearer {me.token}"},
    )


@pytest.mark.parametrize(
    ("who", "where"),
    [
        ("staff admin", "other organization"),
        ("contact of one client", "clients"),
        ("contact limited to one site", "sites"),
        ("partner of one client", "clients"),
        ("partner", "other organization"),
    ],
)
async def test_exports_filtered_by_foreign_ids_answer_like_missing_ones(
    actors: Actors, who: str, where: str
) -> None:
    """/export/<list>.csv?clientId=<foreign> (or siteId): the same status and bytes as for
    an id that does not exist, and not one name of the foreign records."""
    live = actors.live
    me = await actors.get(who)
    assert export_filters()
    problems: list[str] = []
    for name, parameter in export_filters():
        target = "Client" if parameter == "clientId" else "Site"
        if where == "other organization":
            victims = await foreign_records(actors, target)
        else:
            victims = await records_outside(actors, me, target, where)
        if not victims:
            print(f"{name}?{parameter}: no foreign {target} for {who}")
            continue

        expected = await download(live, me, name, {parameter: nonexistent_like(victims[0].id)})
        for victim in victims:
            answer = await download(live, me, name, {parameter: victim.id})
            if body_of(answer) != body_of(expected):
                problems.append(f"{name}?{parameter}={victim.id}: {answer.text[:300]}")
            leaked = [s for s in victim.strings if s in answer.text]
            if leaked:
                problems.append(f"{name}?{parameter}={victim.id} shows {leaked}")
        print(f"{who}: {name}?{parameter} -> {expected.status_code}, {len(victims)} foreign ids")
    assert problems == []


@pytest.mark.parametrize("who", ["staff admin", "contact of one client", "partner"])
async def test_unfiltered_exports_hold_nothing_of_the_other_organization(
    actors: Actors, who: str
) -> None:
    """Every export the caller may download, without filters: not one client or site name
    of the other organization."""
    live = actors.live
    me = await actors.get(who)
    foreign = [
        row[0]
        for row in await live.rows(
            "SELECT c.name FROM client c JOIN organization o ON o.id = c.organization_id "
            "WHERE o.slug = :o UNION SELECT s.name FROM site s JOIN organization o "
            "ON o.id = s.organization_id WHERE o.slug = :o",
            o=OTHER,
        )
    ]
    downloaded = 0
    for name in sorted(EXPORTS):
        answer = await download(live, me, name, {})
        if answer.status_code != 200:
            continue
        downloaded += 1
        leaked = [n for n in foreign if n in answer.text]
        assert leaked == [], (name, leaked)
    assert downloaded > 0


# ---- Documents and previews --------------------------------------------------------------


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DOWNLOAD_URL = "query($id: ID!) { document(id: $id) { downloadUrl } }"


async def upload(live: Live, token: str, owner_id: str) -> httpx.Response:
    return await live.request(
        "POST",
        "/files",
        data={"ownerId": owner_id, "kind": "CHECKLIST", "portalVisible": "true"},
        files={"file": ("verbale.pdf", PDF, "application/pdf")},
        headers={"authorization": f"Bearer {token}"},
    )


async def test_an_upload_cannot_attach_to_a_record_of_another_organization(
    actors: Actors,
) -> None:
    """POST /files naming another organization's record as owner: the answer for a record
    that does not exist, and no document is stored."""
    live = actors.live
    me = await actors.get("staff admin")
    victim = (await foreign_records(actors, "Revision"))[0]
    documents_before = await live.scalar("SELECT count(*) FROM document")
    expected = await upload(live, me.token, nonexistent_like(victim.id))
    answer = await upload(live, me.token, victim.id)
    assert expected.status_code == 400, expected.text
    assert shape(answer) == shape(expected)
    assert await live.scalar("SELECT count(*) FROM document") == documents_before


async def test_a_download_link_works_only_for_the_session_that_asked(actors: Actors) -> None:
    """A document link of the other organization's staff (leaked, say, through a shared
    screen): its holder downloads the file; anyone else, with or without a session of their
    own, gets the same 404 as for a link to nothing."""
    live = actors.live
    owner = await actors.get("staff admin", OTHER)
    revision = (await foreign_records(actors, "Revision"))[0]
    uploaded = await upload(live, owner.token, revision.id)
    assert uploaded.status_code == 201, uploaded.text
    document_id = uploaded.json()["id"]
    url = (await live.data(DOWNLOAD_URL, owner.token, id=document_id))["document"]["downloadUrl"]
    path = "/" + url.split("/", 3)[3]
    mine = await live.request("GET", path, headers={"authorization": f"Bearer {owner.token}"})
    assert mine.status_code == 200
    assert mine.content == PDF
    nowhere = path.replace(document_id, nonexistent_like(document_id))
    attackers = [
        {"authorization": f"Bearer {(await actors.get('staff admin')).token}"},
        {"authorization": f"Bearer {(await actors.get('contact of one client')).token}"},
        {"cookie": f"sportello_session={(await actors.get('staff admin')).token}"},
        {},
    ]
    for headers in attackers:
        expected = await live.request("GET", nowhere, headers=headers)
        answer = await live.request("GET", path, headers=headers)
        assert answer.status_code == expected.status_code == 404
        assert body_of(answer) == body_of(expected)
        assert PDF not in answer.content


async def test_staff_cannot_preview_the_portal_as_another_organizations_contact(
    actors: Actors,
) -> None:
    """X-View-As-Contact with a contact of the other organization: refused exactly like a
    contact that does not exist."""
    live = actors.live
    me = await actors.get("staff admin")
    owner = await actors.get("staff admin", OTHER)
    victim = (await records(live, owner.token, owner.view, "PortalAccess"))[0]
    query = "{ viewer { kind } clients(first: 5) { edges { node { name } } } }"
    expected = await live.gql(
        query, token=me.token, headers={"x-view-as-contact": nonexistent_like(victim.id)}
    )
    answer = await live.gql(query, token=me.token, headers={"x-view-as-contact": victim.id})
    assert expected.status_code == 403
    assert shape(answer) == shape(expected)
    assert not [s for s in victim.strings if s in answer.text]
