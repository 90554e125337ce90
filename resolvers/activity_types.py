"""Root fields for activity types."""

from __future__ import annotations

import strawberry
from strawberry import Info

from authz.policy import READERS
from db.queries import activity_types as queries
from resolvers.kit.roots import listing
from schema.activity_types import ActivityType
from schema.kit.context import Context
from schema.kit.permissions import permitted
from schema.kit.relay import Connection, page_request

ContextInfo = Info[Context, None]


@strawberry.type
class ActivityTypeQuery:
    @strawberry.field(
        description="Activity types by name; contacts see those shown on the portal.",
        extensions=permitted(READERS),
    )
    async def activity_types(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        portal_bookable: bool | None = None,
    ) -> Connection[ActivityType]:
        request = page_request(first, after)
        return await listing(
            info,
            ActivityType,
            queries.activity_type_page,
            queries.activity_type_count,
            request,
            portal_bookable,
        )
