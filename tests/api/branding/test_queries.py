"""The login page's branding by slug: public, the same null for unknown and switched-off
portals, and nothing but the branding."""

from __future__ import annotations

from tests.api import Demo

BRANDING = """query($org: String!) {
  portalBranding(organization: $org) { name logoUrl infoText defaultLocale }
}"""


async def branding(demo: Demo, org: str, token: str | None = None) -> object:
    response = await demo.gql(BRANDING, token=token, org=org)
    body = response.json()
    assert response.status_code == 200
    assert "errors" not in body, body
    return body["data"]["portalBranding"]


async def test_anyone_reads_an_organizations_branding_by_slug(demo: Demo) -> None:
    row = await demo.scalar(
        "SELECT json_build_array(name, logo_sha256, portal_info_text, locale) "
        "FROM organization WHERE slug = 'ignis'"
    )
    expected = {
        "name": row[0],
        # The demo stores its logo: served by Sportello (tests/sportello/test_branding_logo.py).
        "logoUrl": f"/branding/ignis/logo?v={row[1][:16]}",
        "infoText": row[2],
        "defaultLocale": row[3],
    }
    assert row[2]
    assert row[3] == "es"
    assert await branding(demo, "ignis") == expected
    # Typed as people do at the login page.
    assert await branding(demo, "  IGNIS ") == expected
    # Logged-in callers read their own organization's; row-level security hides the others'
    # (they look unknown, as anonymous callers would learn them on the login page anyway).
    for token in (
        await demo.as_("contact of one client", "ignis"),
        await demo.as_("staff admin", "ignis"),
    ):
        assert await branding(demo, "ignis", token) == expected
    assert await branding(demo, "ignis", await demo.as_("contact of one client")) is None


async def test_an_unknown_slug_and_a_switched_off_portal_answer_the_same_null(demo: Demo) -> None:
    assert await branding(demo, "no-such-company") is None
    await demo.execute("UPDATE organization SET portal_enabled = false WHERE slug = 'brillanti'")
    assert await branding(demo, "brillanti") is None


async def test_an_unsafe_logo_address_is_left_out(demo: Demo) -> None:
    # Without a stored logo, the configured address is what pages get.
    await demo.execute("UPDATE organization SET logo_sha256 = NULL, logo_mime_type = NULL")
    await demo.execute(
        "UPDATE organization SET logo_url = 'javascript:alert(1)' WHERE slug = 'brillanti'"
    )
    assert (await branding(demo, "brillanti"))["logoUrl"] is None  # type: ignore[index]
    for shown in ("/brand/logo.png", "data:image/png;base64,iVBORw0KGgo="):
        await demo.execute("UPDATE organization SET logo_url = :u WHERE slug = 'ignis'", u=shown)
        assert (await branding(demo, "ignis"))["logoUrl"] == shown  # type: ignore[index]
    for hidden in ("//evil.example/x.png", "data:text/html;base64,PHNjcmlwdD4=", "logo.png"):
        await demo.execute("UPDATE organization SET logo_url = :u WHERE slug = 'ignis'", u=hidden)
        assert (await branding(demo, "ignis"))["logoUrl"] is None  # type: ignore[index]


async def test_anonymous_callers_get_the_branding_and_still_nothing_else(demo: Demo) -> None:
    asked = await demo.gql(
        '{ portalBranding(organization: "brillanti") { name } clients(first: 1) { totalCount } }'
    )
    assert asked.status_code == 401
    assert asked.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
