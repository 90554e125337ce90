"""Root fields for staff users (staff callers only)."""

from __future__ import annotations

import strawberry
from strawberry import Info

from authz.rules import STAFF_ONLY
from db.queries import staff as queries
from resolvers.kit.filters import values_of
from resolvers.kit.roots import listing
from schema.kit.context import Context
from schema.kit.errors import BadUserInput
from schema.kit.permissions import permitted
from schema.kit.relay import Connection, page_request
from schema.staff import StaffRole, StaffUser

ContextInfo = Info[Context, None]

MAX_SEARCH = 100


@strawberry.type
class StaffQuery:
    @strawberry.field(
        description="The organization's staff users, by last and first name.",
        extensions=permitted(STAFF_ONLY),
    )
    async def staff_users(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        role: list[StaffRole] | None = None,
        active: bool | None = None,
    ) -> Connection[StaffUser]:
        if search is not None and len(search) > MAX_SEARCH:
            raise BadUserInput("search", f"use at most {MAX_SEARCH} characters")
        where = queries.StaffFilter(search=search, roles=values_of(role), active=active)
        request = page_request(first, after)
        return await listing(
            info, StaffUser, queries.staff_page, queries.staff_count, request, where
        )
