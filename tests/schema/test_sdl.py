"""What each audience can see is committed and reviewed: schema/sdl/<audience>.graphql."""

from __future__ import annotations

import pytest
from graphql import is_nullable_type

from authz.principals import Audience
from schema.kit.views import field_names
from sportello.assembly import views
from sportello.export_sdl import expected


def test_the_committed_sdl_of_every_view_is_current() -> None:
    for path, text in expected().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} is out of date: run .venv/bin/python -m sportello.export_sdl and review"
        )


def test_the_public_view_holds_only_the_public_operations() -> None:
    public = field_names(views()[Audience.PUBLIC])
    assert public["Query"] == {"apiVersion", "portalBranding"}
    # The login page's branding and nothing else of an organization.
    assert public["PortalBranding"] == {"name", "logoUrl", "infoText", "defaultLocale"}
    assert public["Mutation"] == {
        "login",
        "acceptInvitation",
        "requestPasswordReset",
        "resetPassword",
    }


@pytest.mark.parametrize("audience", [Audience.PORTAL, Audience.PARTNER, Audience.PUBLIC])
def test_staff_management_is_in_no_other_view(audience: Audience) -> None:
    names = field_names(views()[audience])
    assert "PortalAccess" not in names
    assert "partnerTokens" not in names["Query"]
    assert "createPortalAccess" not in names.get("Mutation", set())


def test_flag_gated_reads_are_nullable_in_the_portal_view_only() -> None:
    """A contact without the flag gets null there (and FORBIDDEN at the path): the null must
    not erase the site it belongs to. Staff and partners keep the declared types."""
    gated = {
        "Site": ("invoices", "contracts"),
        "Client": ("invoices", "contracts"),
        "Query": ("invoices", "contracts", "availableSlots"),
    }
    for audience, nullable in ((Audience.PORTAL, True), (Audience.STAFF, False)):
        type_map = views()[audience]._schema.type_map
        for type_name, fields in gated.items():
            for name in fields:
                field = type_map[type_name].fields[name]  # type: ignore[attr-defined]
                assert is_nullable_type(field.type) is nullable, (audience, type_name, name)
    # Mutations gated by a flag stay as declared: a refused write refuses the whole request.
    mutation = views()[Audience.PORTAL]._schema.type_map["Mutation"]
    assert not is_nullable_type(mutation.fields["openTicket"].type)  # type: ignore[attr-defined]
