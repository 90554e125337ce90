"""Staff plan revisions and change them, audited; every refusal names its field and writes
nothing."""

from __future__ import annotations

import uuid
from typing import Any

from schema.kit import ids
from tests.api import Demo
from tests.api.callers import audit_events, refusal
from tests.api.revisions.kit import (
    CONTRACT,
    CREATE,
    TECHNICIAN,
    UPDATE,
    place,
    plan,
    planned,
    written,
)


async def test_a_revision_is_planned_changed_and_audited(demo: Demo) -> None:
    where = await place(demo)
    created = await planned(demo, where)
    assert created["site"]["id"] == where.site
    assert (created["dueMonth"], created["plannedDate"], created["contractId"]) == (
        "2000-01-01",
        "2000-01-12",
        where.contract,
    )
    assert (created["performedAt"], created["result"], created["cancelledAt"]) == (None,) * 3
    technician = await demo.scalar(
        "SELECT technician_id FROM revision WHERE id = :i",
        i=ids.decode("Revision", created["id"]),
    )
    assert ids.encode("StaffUser", technician) == where.technician
    office = await demo.staff("OFFICE")
    changed = await demo.data(
        UPDATE,
        office,
        id=created["id"],
        input={"dueMonth": "2000-02-01", "contractId": "", "clearPlannedDate": True, "notes": ""},
    )
    saved = changed["updateRevision"]
    assert (saved["dueMonth"], saved["plannedDate"], saved["contractId"], saved["notes"]) == (
        "2000-02-01",
        None,
        None,
        "",
    )
    [creation] = await audit_events(demo, "revision_created")
    assert creation["before"] == {}
    assert creation["after"]["due_month"] == "2000-01-01"
    assert creation["after"]["technician_id"] == str(ids.decode("StaffUser", where.technician))
    [change] = await audit_events(demo, "revision_changed")
    assert change == {
        "changed": ["contract_id", "due_month", "notes", "planned_date"],
        "before": {
            "contract_id": str(ids.decode("Contract", where.contract)),
            "due_month": "2000-01-01",
            "notes": "Chiavi in portineria",
            "planned_date": "2000-01-12",
        },
        "after": {
            "contract_id": None,
            "due_month": "2000-02-01",
            "notes": "",
            "planned_date": None,
        },
    }
    # The same values again change nothing and write no audit event.
    again = await demo.data(UPDATE, office, id=created["id"], input={"dueMonth": "2000-02-01"})
    assert again["updateRevision"]["dueMonth"] == "2000-02-01"
    assert len(await audit_events(demo, "revision_changed")) == 1


async def test_bad_plans_are_refused_naming_the_field(demo: Demo) -> None:
    where = await place(demo)
    foreign = await place(demo, "ignis")
    other_client = await demo.scalar(
        "SELECT c.id FROM contract c JOIN organization o ON o.id = c.organization_id "
        "WHERE o.slug = 'brillanti' AND c.client_id <> :c LIMIT 1",
        c=ids.decode("Client", where.client),
    )
    other_site = await demo.scalar(
        "SELECT s.id FROM site s WHERE s.client_id = :c AND s.id <> :s LIMIT 1",
        c=ids.decode("Client", where.client),
        s=ids.decode("Site", where.site),
    )
    office = await demo.scalar(TECHNICIAN, o="brillanti", r="OFFICE")
    inactive = await demo.scalar(
        "SELECT s.id FROM staff_user s JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug = 'brillanti' AND s.role = 'TECHNICIAN' AND s.id <> :t ORDER BY s.id",
        t=ids.decode("StaffUser", where.technician),
    )
    await demo.execute("UPDATE staff_user SET active = false WHERE id = :i", i=inactive)
    archived = await demo.scalar(
        "SELECT id FROM site WHERE organization_id = (SELECT organization_id FROM site "
        "WHERE id = :s) AND id <> :s ORDER BY id",
        s=ids.decode("Site", where.site),
    )
    await demo.execute("UPDATE site SET archived_at = now() WHERE id = :i", i=archived)
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("unknown site", {"siteId": ids.encode("Site", uuid.uuid4())}, "siteId"),
        ("not an id", {"siteId": "bm9wZTox"}, "siteId"),
        ("foreign site", {"siteId": foreign.site}, "siteId"),
        ("archived site", {"siteId": ids.encode("Site", archived)}, "siteId"),
        ("not a first of month", {"dueMonth": "2027-03-15"}, "dueMonth"),
        ("foreign contract", {"contractId": foreign.contract}, "contractId"),
        ("unknown contract", {"contractId": ids.encode("Contract", uuid.uuid4())}, "contractId"),
        (
            "another client's contract",
            {"contractId": ids.encode("Contract", other_client)},
            "contractId",
        ),
        ("foreign technician", {"technicianId": foreign.technician}, "technicianId"),
        (
            "office, no technician",
            {"technicianId": ids.encode("StaffUser", office)},
            "technicianId",
        ),
        (
            "inactive technician",
            {"technicianId": ids.encode("StaffUser", inactive)},
            "technicianId",
        ),
        ("long notes", {"notes": "n" * 5001}, "notes"),
    ]
    if other_site is not None:  # a contract of this client for another of its sites
        token = await demo.as_("staff admin")
        for_other = await demo.data(
            CONTRACT,
            token,
            input={
                "clientId": where.client,
                "siteId": ids.encode("Site", other_site),
                "number": "REV-OTHER-SITE",
                "kind": "Antincendio",
                "startsOn": "2026-01-01",
                "expiresOn": "2027-12-31",
            },
        )
        cases.append(
            (
                "another site's contract",
                {"contractId": for_other["createContract"]["id"]},
                "contractId",
            )
        )
    token = await demo.as_("staff admin")
    before = await written(demo)
    for case, changes, field in cases:
        response = await demo.gql(CREATE, token=token, variables={"input": plan(where, **changes)})
        assert refusal(response) == {"code": "BAD_USER_INPUT", "field": field}, case
    revision = (await planned(demo, where))["id"]
    before = await written(demo)
    for case, changes, field in [c for c in cases if c[2] != "siteId"] + [
        (
            "planned and cleared",
            {"plannedDate": "2000-01-05", "clearPlannedDate": True},
            "clearPlannedDate",
        ),
    ]:
        response = await demo.gql(UPDATE, token=token, variables={"id": revision, "input": changes})
        assert refusal(response) == {"code": "BAD_USER_INPUT", "field": field}, case
    assert await written(demo) == before
