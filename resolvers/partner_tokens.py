"""Partner API tokens: ADMIN lists, creates and revokes them (authz/policy.py); the secret is
shown once, at creation, and every change is audited."""

from __future__ import annotations

import strawberry
from strawberry import Info

from authz import secrets
from authz.policy import ADMIN_ONLY
from db.queries import partner_tokens
from resolvers.kit import audited
from resolvers.kit.callers import staff_of
from resolvers.kit.inputs import global_ids, text_input
from schema import portal_access as types
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import BadUserInput, NotFound
from schema.kit.permissions import permitted
from sportello.base.clock import now_utc

ContextInfo = Info[Context, None]

PARTNER_SCOPES = ("reports:read", "lists:read", "exports:read")
MAX_NAME = 200


def token_type(row: partner_tokens.TokenRow) -> types.PartnerToken:
    return types.PartnerToken(
        id=ids.encode("PartnerToken", row.id),
        name=row.name,
        last_four=row.last_four,
        scopes=row.scopes,
        client_ids=[ids.encode("Client", c) for c in row.client_ids],
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


@strawberry.type
class PartnerTokenQuery:
    @strawberry.field(
        description="Partner API tokens of the organization (never the secret).",
        extensions=permitted(ADMIN_ONLY),
    )
    async def partner_tokens(self, info: ContextInfo) -> list[types.PartnerToken]:
        staff = staff_of(info)
        rows = await partner_tokens.list_tokens(info.context.db, staff.organization_id)
        return [token_type(row) for row in rows]


@strawberry.type
class PartnerTokenMutation:
    @strawberry.mutation(
        description="Create a partner API token; the secret is shown once.",
        extensions=permitted(ADMIN_ONLY),
    )
    async def create_partner_token(
        self, info: ContextInfo, input: types.CreatePartnerTokenInput
    ) -> types.CreatedPartnerToken:
        staff = staff_of(info)
        db, org = info.context.db, staff.organization_id
        name = text_input("name", input.name, required=True, limit=MAX_NAME) or ""
        unknown = sorted(set(input.scopes) - set(PARTNER_SCOPES))
        if not input.scopes or unknown:
            raise BadUserInput("scopes", f"use some of {', '.join(PARTNER_SCOPES)}")
        client_ids = global_ids("clientIds", "Client", input.client_ids)
        if set(client_ids) - await partner_tokens.existing_clients(db, org, client_ids):
            raise BadUserInput("clientIds", "holds a client that does not exist")
        now = now_utc()
        if input.expires_at is not None and input.expires_at <= now:
            raise BadUserInput("expiresAt", "must be in the future")
        secret, digest = secrets.new_secret(secrets.PARTNER)
        token_id = await partner_tokens.create(
            db,
            org,
            name=name,
            token_hash=digest,
            last_four=secret[-4:],
            scopes=input.scopes,
            client_ids=client_ids,
            expires_at=input.expires_at,
            created_by_id=staff.user_id,
            now=now,
        )
        await audited.record(
            info.context,
            "partner_token_created",
            "PartnerToken",
            token_id,
            {"scopes": sorted(set(input.scopes)), "clients": len(client_ids)},
        )
        row = next(t for t in await partner_tokens.list_tokens(db, org) if t.id == token_id)
        return types.CreatedPartnerToken(secret=secret, partner_token=token_type(row))

    @strawberry.mutation(
        description="Revoke a partner token; it stops working at once.",
        extensions=permitted(ADMIN_ONLY),
    )
    async def revoke_partner_token(self, info: ContextInfo, id: strawberry.ID) -> bool:
        staff = staff_of(info)
        token_id = ids.decode("PartnerToken", id)
        if token_id is None or not await partner_tokens.revoke(
            info.context.db, staff.organization_id, token_id, now_utc()
        ):
            raise NotFound("partner token")
        await audited.record(info.context, "partner_token_revoked", "PartnerToken", token_id, {})
        return True
