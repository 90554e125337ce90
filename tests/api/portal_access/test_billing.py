"""The monthly portal bill counts every access that existed in the month."""

from __future__ import annotations

from tests import factories
from tests.api.portal_access.kit import Office

BILL = """query($m: String!) { portalBill(month: $m) {
  accessCount unitFeeCents netCents vatCents totalCents accesses { email } } }"""


async def test_billing_counts_every_access_that_existed_in_the_month(office: Office) -> None:
    one = await factories.contact(
        office.engine, office.org, "one@alfa.example", clients=(office.client_a, office.client_b)
    )
    await factories.contact(office.engine, office.org, "two@alfa.example", sites=(office.site_b1,))
    late = await factories.contact(office.engine, office.org, "late@alfa.example")
    await office.execute(
        "UPDATE contact SET created_at = '2026-09-10T10:00:00+02' WHERE id <> :late", late=late
    )
    await office.execute(
        "UPDATE contact SET created_at = '2026-10-31T23:30:00+01' WHERE id = :late", late=late
    )
    # Deleted in the middle of October: billed for October, not for November.
    await office.execute(
        "UPDATE contact SET deleted_at = '2026-10-15T12:00:00+02' WHERE id = :one", one=one
    )
    october = (await office.gql(BILL, token=office.clerk, m="2026-10")).json()["data"]["portalBill"]
    november = (await office.gql(BILL, token=office.clerk, m="2026-11")).json()["data"][
        "portalBill"
    ]
    assert october["accessCount"] == 3
    assert {a["email"] for a in october["accesses"]} == {
        "one@alfa.example",
        "two@alfa.example",
        "late@alfa.example",
    }
    assert (october["unitFeeCents"], october["netCents"], october["vatCents"]) == (200, 600, 132)
    assert october["totalCents"] == 732
    assert november["accessCount"] == 2
    assert "one@alfa.example" not in {a["email"] for a in november["accesses"]}
    september = (await office.gql(BILL, token=office.clerk, m="2026-09")).json()["data"][
        "portalBill"
    ]
    assert september["accessCount"] == 2
    bad = await office.gql(BILL, token=office.clerk, m="October")
    assert bad.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "month"}
