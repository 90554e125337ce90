"""``viewer`` tells the web client what the contact may use, its language, and whether staff
are previewing the portal as that contact."""

from __future__ import annotations

from schema.kit import ids
from tests.api import Demo

VIEWER = """{ viewer { kind locale previewing features {
  portalAccess canViewContracts canViewInvoices canOpenTickets canBookAppointments
  receivesVisitReminders receivesSignedWorksheets } } }"""

FLAGS = {
    "portalAccess": "portal_access",
    "canViewContracts": "can_view_contracts",
    "canViewInvoices": "can_view_invoices",
    "canOpenTickets": "can_open_tickets",
    "canBookAppointments": "can_book_appointments",
    "receivesVisitReminders": "receives_visit_reminders",
    "receivesSignedWorksheets": "receives_signed_worksheets",
}


async def stored_flags(demo: Demo, email: str) -> dict[str, bool]:
    columns = ", ".join(f"'{field}', {column}" for field, column in FLAGS.items())
    row: dict[str, bool] = await demo.scalar(
        f"SELECT json_build_object({columns}) FROM contact WHERE email = :e",  # noqa: S608
        e=email,
    )
    return row


async def test_a_contact_sees_its_own_features_and_language(demo: Demo) -> None:
    email = demo.login_of("contact of one client")
    await demo.execute(
        "UPDATE contact SET can_view_invoices = false, can_book_appointments = true, "
        "locale = 'en' WHERE email = :e",
        e=email,
    )
    viewer = (await demo.data(VIEWER, await demo.as_("contact of one client")))["viewer"]
    assert viewer["kind"] == "CONTACT"
    assert viewer["previewing"] is False
    assert viewer["locale"] == "en"
    assert viewer["features"] == await stored_flags(demo, email)
    assert viewer["features"]["canViewInvoices"] is False
    assert viewer["features"]["canBookAppointments"] is True


async def test_without_a_language_of_its_own_the_contact_gets_the_organizations(
    demo: Demo,
) -> None:
    email = demo.login_of("contact of one client", "ignis")
    await demo.execute("UPDATE contact SET locale = NULL WHERE email = :e", e=email)
    viewer = (await demo.data(VIEWER, await demo.as_("contact of one client", "ignis")))["viewer"]
    assert viewer["locale"] == "es"


async def test_staff_have_no_features_and_a_preview_says_so(demo: Demo) -> None:
    staff = await demo.as_("staff admin")
    own = (await demo.data(VIEWER, staff))["viewer"]
    assert own == {"kind": "STAFF", "locale": own["locale"], "previewing": False, "features": None}
    email = demo.login_of("contact limited to one site")
    await demo.execute("UPDATE contact SET can_view_contracts = false WHERE email = :e", e=email)
    target = ids.encode(
        "PortalAccess", await demo.scalar("SELECT id FROM contact WHERE email = :e", e=email)
    )
    previewed = await demo.gql(VIEWER, token=staff, headers={"x-view-as-contact": str(target)})
    viewer = previewed.json()["data"]["viewer"]
    assert viewer["kind"] == "CONTACT"
    assert viewer["previewing"] is True
    assert viewer["features"] == await stored_flags(demo, email)
    assert viewer["features"]["canViewContracts"] is False


async def test_the_viewer_gives_its_organizations_time_zone(demo: Demo) -> None:
    """The web client shows times in the organization's zone, not the browser's."""
    query = "{ viewer { timeZone } }"
    contact = await demo.data(query, await demo.as_("contact of one client"))
    assert contact["viewer"]["timeZone"] == "Europe/Rome"
    await demo.execute("UPDATE organization SET timezone = 'Atlantic/Canary' WHERE slug = 'ignis'")
    staff = await demo.data(query, await demo.as_("staff admin", "ignis"))
    assert staff["viewer"]["timeZone"] == "Atlantic/Canary"
