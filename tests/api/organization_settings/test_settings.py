"""An ADMIN changes the organization's settings (resolvers/organization_settings.py): every
field checked and named, nothing written on a refusal, the change audited with before/after,
the portal showing the new branding at once, the portal switch shared with setPortalEnabled.
Also: ``changePassword`` does what its description says."""

from __future__ import annotations

import json
from typing import Any

import pytest

from authz.principals import Audience
from db.seed import DEMO_PASSWORD
from sportello.assembly import views
from tests.api import Demo
from tests.api.callers import assert_only_staff_may_call, refused

FIELDS = (
    "slug name logoUrl infoText notificationEmail locale timeZone portalEnabled currency "
    "feePerAccessCents vatRatePercent reminderOffsetsDays contractAlertDays "
    "bookingMinLeadHours bookingHorizonDays travelAverageSpeedKmh travelRoadFactor "
    "travelBufferMinutes"
)
READ = f"{{ organizationSettings {{ {FIELDS} }} }}"
UPDATE = f"""mutation($input: OrganizationSettingsInput!) {{
  updateOrganizationSettings(input: $input) {{ {FIELDS} }} }}"""
BRANDING = """query($o: String!) { portalBranding(organization: $o) {
  name infoText defaultLocale logoUrl } }"""
VIEWER = "{ viewer { organizationName portalInfoText locale timeZone } }"

# Every organization row and the count of settings events: a refusal changes neither.
STATE = (
    "SELECT (SELECT md5(string_agg(o::text, ',' ORDER BY o.id)) FROM organization o) || '/' || "
    "(SELECT count(*) FROM audit_event WHERE action = 'organization_settings_changed')"
)

EVERYTHING = {
    "name": "  Brillanti Impianti Srl ",
    "infoText": "Urgenze: 800 123 456.\nOrari: 8-18.",
    "notificationEmail": "assistenza@brillanti.example",
    "locale": "en",
    "timeZone": "America/New_York",
    "feePerAccessCents": 0,
    "vatRatePercent": "10.5",
    "reminderOffsetsDays": [1, 14, 3],
    "contractAlertDays": 45,
    "bookingMinLeadHours": 48,
    "bookingHorizonDays": 90,
    "travelAverageSpeedKmh": "38.5",
    "travelRoadFactor": "1.35",
    "travelBufferMinutes": 15,
}


async def settings_events(demo: Demo) -> list[dict[str, Any]]:
    found = await demo.scalar(
        "SELECT coalesce(json_agg(json_build_object('details', e.details, 'actor', e.actor_type, "
        "'org', o.slug, 'subject', e.subject_type) ORDER BY e.created_at), '[]') "
        "FROM audit_event e JOIN organization o ON o.id = e.organization_id "
        "WHERE e.action = 'organization_settings_changed'"
    )
    rows: list[dict[str, Any]] = json.loads(found) if isinstance(found, str) else found
    return rows


async def test_an_admin_changes_every_setting_audited_and_office_reads_them(demo: Demo) -> None:
    admin = await demo.as_("staff admin")
    before = (await demo.data(READ, admin))["organizationSettings"]
    other_before = (await demo.data(READ, await demo.as_("staff admin", "ignis")))[
        "organizationSettings"
    ]
    changed = (await demo.data(UPDATE, admin, input=EVERYTHING))["updateOrganizationSettings"]
    assert changed == {
        "slug": before["slug"],
        "logoUrl": before["logoUrl"],
        "portalEnabled": True,
        "currency": before["currency"],
        "name": "Brillanti Impianti Srl",
        "infoText": "Urgenze: 800 123 456.\nOrari: 8-18.",
        "notificationEmail": "assistenza@brillanti.example",
        "locale": "en",
        "timeZone": "America/New_York",
        "feePerAccessCents": 0,
        "vatRatePercent": "10.50",
        "reminderOffsetsDays": [14, 3, 1],
        "contractAlertDays": 45,
        "bookingMinLeadHours": 48,
        "bookingHorizonDays": 90,
        "travelAverageSpeedKmh": "38.50",
        "travelRoadFactor": "1.35",
        "travelBufferMinutes": 15,
    }
    # OFFICE reads what the ADMIN wrote; the other organization is untouched.
    office = await demo.staff("OFFICE")
    assert (await demo.data(READ, office))["organizationSettings"] == changed
    other = (await demo.data(READ, await demo.as_("staff admin", "ignis")))["organizationSettings"]
    assert other == other_before
    [event] = await settings_events(demo)
    who = (event["actor"], event["org"], event["subject"])
    assert who == ("STAFF", "brillanti", "Organization")
    assert event["details"]["changed"] == sorted(
        [
            "name",
            "portal_info_text",
            "notification_email",
            "locale",
            "timezone",
            "portal_fee_cents",
            "vat_rate_percent",
            "reminder_offsets_days",
            "contract_alert_days",
            "booking_min_lead_hours",
            "booking_horizon_days",
            "travel_average_speed_kmh",
            "travel_road_factor",
            "travel_buffer_minutes",
        ]
    )
    assert event["details"]["before"]["name"] == before["name"]
    assert event["details"]["before"]["timezone"] == before["timeZone"]
    assert event["details"]["after"]["timezone"] == "America/New_York"
    assert event["details"]["after"]["reminder_offsets_days"] == [14, 3, 1]
    # The same values again, or nothing at all, change nothing and record nothing.
    await demo.data(UPDATE, admin, input=EVERYTHING)
    await demo.data(UPDATE, admin, input={})
    assert len(await settings_events(demo)) == 1
    # A field left out stays as it is.
    again = await demo.data(UPDATE, admin, input={"travelBufferMinutes": 20})
    assert again["updateOrganizationSettings"] == changed | {"travelBufferMinutes": 20}
    [_, second] = await settings_events(demo)
    assert second["details"] == {
        "changed": ["travel_buffer_minutes"],
        "before": {"travel_buffer_minutes": 15},
        "after": {"travel_buffer_minutes": 20},
    }


async def test_the_portal_shows_the_new_branding_at_once(demo: Demo) -> None:
    """Read before (anything cached would be warm), change, read again: the new values."""
    await demo.execute(
        "UPDATE contact SET locale = NULL WHERE organization_id = "
        "(SELECT id FROM organization WHERE slug = 'brillanti')"
    )
    contact = await demo.as_("contact of one client")
    old_branding = (await demo.data(BRANDING, contact, o="brillanti"))["portalBranding"]
    old_viewer = (await demo.data(VIEWER, contact))["viewer"]
    anonymous_before = (await demo.gql(BRANDING, o="brillanti")).json()["data"]
    assert anonymous_before["portalBranding"] == old_branding
    new = {
        "name": "Brillanti Nuovo Nome",
        "infoText": "Nuovo testo informativo.",
        "locale": "es",
        "timeZone": "Atlantic/Canary",
    }
    assert old_viewer["timeZone"] != new["timeZone"]
    assert old_branding["name"] != new["name"]
    await demo.data(UPDATE, await demo.as_("staff admin"), input=new)
    demo.client.cookies.clear()
    branding = (await demo.gql(BRANDING, o="brillanti")).json()["data"]["portalBranding"]
    assert branding == {
        "name": "Brillanti Nuovo Nome",
        "infoText": "Nuovo testo informativo.",
        "defaultLocale": "es",
        "logoUrl": old_branding["logoUrl"],
    }
    assert (await demo.data(VIEWER, contact))["viewer"] == {
        "organizationName": "Brillanti Nuovo Nome",
        "portalInfoText": "Nuovo testo informativo.",
        "locale": "es",
        "timeZone": "Atlantic/Canary",
    }
    # The other organization's portal is untouched.
    ignis = (await demo.gql(BRANDING, o="ignis")).json()["data"]["portalBranding"]
    assert ignis["name"] != "Brillanti Nuovo Nome"


BAD: list[tuple[dict[str, Any], str]] = [
    ({"name": " "}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"name": "two\nlines"}, "name"),
    ({"infoText": "x" * 5001}, "infoText"),
    ({"infoText": "bell\x07"}, "infoText"),
    ({"notificationEmail": "not-an-address"}, "notificationEmail"),
    ({"notificationEmail": ""}, "notificationEmail"),
    ({"locale": "fr"}, "locale"),
    ({"locale": "IT"}, "locale"),
    ({"timeZone": "Mars/Olympus"}, "timeZone"),
    ({"timeZone": "../../etc/passwd"}, "timeZone"),
    ({"timeZone": ""}, "timeZone"),
    ({"feePerAccessCents": -1}, "feePerAccessCents"),
    ({"feePerAccessCents": 100_001}, "feePerAccessCents"),
    ({"vatRatePercent": "-0.01"}, "vatRatePercent"),
    ({"vatRatePercent": "100.01"}, "vatRatePercent"),
    ({"vatRatePercent": "22.001"}, "vatRatePercent"),
    ({"vatRatePercent": "NaN"}, "vatRatePercent"),
    ({"reminderOffsetsDays": [0]}, "reminderOffsetsDays"),
    ({"reminderOffsetsDays": [366]}, "reminderOffsetsDays"),
    ({"reminderOffsetsDays": [7, 7]}, "reminderOffsetsDays"),
    ({"reminderOffsetsDays": [1, 2, 3, 4, 5, 6]}, "reminderOffsetsDays"),
    ({"contractAlertDays": 0}, "contractAlertDays"),
    ({"contractAlertDays": 366}, "contractAlertDays"),
    ({"bookingMinLeadHours": -1}, "bookingMinLeadHours"),
    ({"bookingMinLeadHours": 721}, "bookingMinLeadHours"),
    ({"bookingHorizonDays": 0}, "bookingHorizonDays"),
    ({"bookingHorizonDays": 366}, "bookingHorizonDays"),
    ({"travelAverageSpeedKmh": "0"}, "travelAverageSpeedKmh"),
    ({"travelAverageSpeedKmh": "200.01"}, "travelAverageSpeedKmh"),
    ({"travelRoadFactor": "0.99"}, "travelRoadFactor"),
    ({"travelRoadFactor": "5.01"}, "travelRoadFactor"),
    ({"travelBufferMinutes": -1}, "travelBufferMinutes"),
    ({"travelBufferMinutes": 241}, "travelBufferMinutes"),
]


async def test_each_bad_setting_is_refused_naming_the_field_and_nothing_is_written(
    demo: Demo,
) -> None:
    admin = await demo.as_("staff admin")
    before = await demo.scalar(STATE)
    for bad, field in BAD:
        # A good change beside the bad one is not written either.
        given = {"name": "Written?", "portalEnabled": False} | bad
        error = await refused(demo, admin, UPDATE, input=given)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, bad
        assert error["message"].startswith(f"{field}: "), error
    assert await demo.scalar(STATE) == before
    contact = await demo.as_("contact of one client")
    assert (await demo.gql(VIEWER, token=contact)).status_code == 200


async def test_switching_the_portal_off_here_is_setportalenabled(demo: Demo) -> None:
    """The same switch: contacts' sessions end at once, the login page shows nothing, and
    switching it back on does not revive those sessions."""
    contact = await demo.as_("contact of one client")
    admin = await demo.as_("staff admin")
    assert (await demo.gql(VIEWER, token=contact)).status_code == 200
    off = await demo.data(UPDATE, admin, input={"portalEnabled": False})
    assert off["updateOrganizationSettings"]["portalEnabled"] is False
    assert (await demo.gql(VIEWER, token=contact)).status_code == 401
    demo.client.cookies.clear()
    assert (await demo.gql(BRANDING, o="brillanti")).json()["data"] == {"portalBranding": None}
    [event] = await settings_events(demo)
    assert event["details"] == {
        "changed": ["portal_enabled"],
        "before": {"portal_enabled": True},
        "after": {"portal_enabled": False},
    }
    await demo.data(UPDATE, admin, input={"portalEnabled": True})
    assert (await demo.gql(VIEWER, token=contact)).status_code == 401
    assert (await demo.gql(BRANDING, o="brillanti")).json()["data"]["portalBranding"]
    # Staff sessions are not touched by the switch.
    assert (await demo.gql(VIEWER, token=admin)).status_code == 200


async def test_refusing_unregistered_documents_is_off_by_default_and_audited(demo: Demo) -> None:
    """What the setting does to contacts' requests: tests/sportello/test_persisted.py."""
    admin = await demo.as_("staff admin")
    read = "{ organizationSettings { refuseUnregisteredDocuments } }"
    assert (await demo.data(read, admin))["organizationSettings"] == {
        "refuseUnregisteredDocuments": False
    }
    on = await demo.data(
        UPDATE.replace(FIELDS, "refuseUnregisteredDocuments"),
        admin,
        input={"refuseUnregisteredDocuments": True},
    )
    assert on["updateOrganizationSettings"] == {"refuseUnregisteredDocuments": True}
    [event] = await settings_events(demo)
    assert event["details"] == {
        "changed": ["refuse_unregistered_documents"],
        "before": {"refuse_unregistered_documents": False},
        "after": {"refuse_unregistered_documents": True},
    }
    ignis = await demo.as_("staff admin", "ignis")
    assert (await demo.data(read, ignis))["organizationSettings"] == {
        "refuseUnregisteredDocuments": False
    }


@pytest.mark.parametrize("operation", ["read", "update"])
async def test_who_may_read_and_change_the_settings(demo: Demo, operation: str) -> None:
    query = READ if operation == "read" else UPDATE
    variables = {} if operation == "read" else {"input": {"name": "Preso!"}}
    before = await demo.scalar(STATE)
    await assert_only_staff_may_call(demo, query, variables)
    office = await demo.gql(query, token=await demo.staff("OFFICE"), variables=variables)
    if operation == "update":
        assert office.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert await demo.scalar(STATE) == before
        # Another organization's ADMIN changes their own organization only.
        ignis = await demo.data(query, await demo.as_("staff admin", "ignis"), **variables)
        assert ignis["updateOrganizationSettings"]["slug"] == "ignis"
        [event] = await settings_events(demo)
        assert event["org"] == "ignis"
        mine = await demo.data(READ, await demo.as_("staff admin"))
        assert mine["organizationSettings"]["name"] != "Preso!"
    else:
        assert office.json()["data"]["organizationSettings"]["slug"] == "brillanti"
        assert await demo.scalar(STATE) == before
    # Neither the portal nor the partner view even names them.
    for audience, view in views().items():
        query_type = view._schema.query_type
        if audience is not Audience.STAFF and query_type is not None:
            assert "organizationSettings" not in query_type.fields
            mutation = view._schema.mutation_type
            assert mutation is None or "updateOrganizationSettings" not in mutation.fields


async def test_change_password_ends_every_session_and_answers_the_new_one(demo: Demo) -> None:
    """What its description says: every session of the account ends, the calling one too,
    and the answer is the session that replaces it."""
    mutation = views()[Audience.STAFF]._schema.mutation_type
    assert mutation is not None
    assert "this one too" in (mutation.fields["changePassword"].description or "")
    email = demo.login_of("staff admin")
    calling = (await demo.login(email, DEMO_PASSWORD, org="brillanti")).json()
    other = (await demo.login(email, DEMO_PASSWORD, org="brillanti")).json()
    calling_token = calling["data"]["login"]["token"]
    other_token = other["data"]["login"]["token"]
    office = await demo.staff("OFFICE")
    changed = await demo.gql(
        "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, "
        "newPassword: $n) { token } }",
        token=calling_token,
        c=DEMO_PASSWORD,
        n="a much longer passphrase 2027",
    )
    new_token = changed.json()["data"]["changePassword"]["token"]
    demo.client.cookies.clear()
    assert new_token not in (calling_token, other_token)
    assert (await demo.gql(VIEWER, token=calling_token)).status_code == 401
    assert (await demo.gql(VIEWER, token=other_token)).status_code == 401
    assert (await demo.gql(VIEWER, token=new_token)).status_code == 200
    # Another account's session is not touched.
    assert (await demo.gql(VIEWER, token=office)).status_code == 200
