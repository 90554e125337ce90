"""``GET /privacy/contacts/{id}.json``: everything held about one contact, for a GDPR access
request (docs/back-office.md, "A contact's data on request"). ADMIN only, the same
authentication as /export (cookie or bearer).

A download rather than a GraphQL field: the answer is a file handed to the person, it must be
audited (a write, which GraphQL queries do not do), and its shape follows the tables, not the
schema. Unknown and other organizations' ids get the same 404. One audit event
("contact_data_exported", subject the contact) is committed before the file goes out.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from authz.policy import ADMIN_ONLY
from db.queries import privacy
from schema.kit import ids
from sportello.errors import Refusal, answering
from sportello.opening import Gate, opened

ADMINISTRATORS = Gate(ADMIN_ONLY, "A contact's data is for administrators only.")


@answering
async def contact_data(request: Request) -> Response:
    async with opened(request, ADMINISTRATORS, check_origin=False) as opening:
        organization_id = opening.scope.organization_id
        contact_id = ids.decode("PortalAccess", request.path_params["id"])
        data = (
            await privacy.contact_data(opening.db, organization_id, contact_id)
            if contact_id is not None
            else None
        )
        if contact_id is None or data is None:
            raise Refusal(404, "NOT_FOUND", "No such portal access.")
        await opening.audit("contact_data_exported", "Contact", contact_id)
        await opening.transaction.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    return Response(
        body,
        media_type="application/json; charset=utf-8",
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": f'attachment; filename="contact-{contact_id}.json"',
        },
    )
