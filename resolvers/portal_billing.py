"""The monthly portal bill: the accesses billed for a month (ADMIN and OFFICE, authz/policy.py)."""

from __future__ import annotations

import strawberry
from strawberry import Info

from authz.policy import BACK_OFFICE_ONLY
from db.queries import portal_billing
from resolvers.kit.callers import staff_of
from schema import portal_access as types
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.names import full_name
from schema.kit.periods import parse_month
from schema.kit.permissions import permitted

ContextInfo = Info[Context, None]


@strawberry.type
class PortalBillingQuery:
    @strawberry.field(
        description="Portal accesses billed for a month (YYYY-MM).",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def portal_bill(self, info: ContextInfo, month: str) -> types.PortalBill:
        staff = staff_of(info)
        first_day = parse_month(month, "month")
        bill = await portal_billing.month_bill(info.context.db, staff.organization_id, first_day)
        return types.PortalBill(
            month=month,
            currency=bill.currency,
            unit_fee_cents=bill.unit_fee_cents,
            vat_rate_percent=str(bill.vat_rate_percent),
            access_count=len(bill.accesses),
            net_cents=bill.net_cents,
            vat_cents=bill.vat_cents,
            total_cents=bill.total_cents,
            accesses=[
                types.BilledAccess(
                    access_id=ids.encode("PortalAccess", a.id),
                    name=full_name(a.first_name, a.last_name),
                    email=a.email,
                    created_at=a.created_at,
                    deleted_at=a.deleted_at,
                )
                for a in bill.accesses
            ],
        )
