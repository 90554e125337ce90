"""What each audience can see is committed and reviewed: schema/sdl/<audience>.graphql."""

from __future__ import annotations

import pytest

from authz.principals import Audience
from schema.build import views
from schema.export_sdl import expected
from schema.views import field_names


def test_the_committed_sdl_of_every_view_is_current() -> None:
    for path, text in expected().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} is out of date: run .venv/bin/python -m schema.export_sdl and review"
        )


def test_the_public_view_holds_only_the_public_operations() -> None:
    public = field_names(views()[Audience.PUBLIC])
    assert public["Query"] == {"apiVersion"}
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
