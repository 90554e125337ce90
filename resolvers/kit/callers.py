"""Who is calling, for the resolvers that act on the staff member's own organization."""

from __future__ import annotations

from strawberry import Info

from authz.principals import StaffPrincipal
from schema.kit.context import Context
from schema.kit.errors import Forbidden

ContextInfo = Info[Context, None]


def staff_of(info: ContextInfo) -> StaffPrincipal:
    """The staff member calling; FORBIDDEN for anyone else (the policy refuses them first)."""
    principal = info.context.principal
    if not isinstance(principal, StaffPrincipal):
        raise Forbidden("Staff only.")
    return principal
