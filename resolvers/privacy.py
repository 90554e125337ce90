"""Erasing a contact on request (GDPR; README "Privacy"). The export of a contact's data is a
download (sportello/privacy_route.py); erasure is a mutation, ADMIN only (authz/policy.py),
because it cannot be undone."""

from __future__ import annotations

import strawberry
from strawberry import Info

from authz.policy import ADMIN_ONLY
from db.queries import privacy
from resolvers.kit import audited
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import Conflict, NotFound
from schema.kit.permissions import permitted
from sportello.base.clock import now_utc

ContextInfo = Info[Context, None]


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(
        description="Erase a contact for good: sessions, tokens and calendar feed removed, "
        'names shown as "former contact", email and username replaced by a placeholder; '
        "tickets, comments and bookings stay, and the access is still billed for the months "
        "it existed. Cannot be undone.",
        extensions=permitted(ADMIN_ONLY),
    )
    async def erase_contact(self, info: ContextInfo, id: strawberry.ID) -> bool:
        context = info.context
        contact_id = ids.decode("PortalAccess", id)
        try:
            found = contact_id is not None and await privacy.erase(
                context.db, context.rows.scope.organization_id, contact_id, now_utc()
            )
        except privacy.AlreadyErased:
            raise Conflict("This contact was already erased.") from None
        if contact_id is None or not found:
            raise NotFound("portal access")
        # The event names the contact by id alone: nothing of the erased data is recorded.
        await audited.record(context, "contact_erased", "Contact", contact_id)
        return True
