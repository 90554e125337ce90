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

from authz.identity.authenticate import authenticate, bind, client_address
from authz.policy import ADMIN_ONLY
from db.queries import audit, privacy
from schema.kit import ids
from schema.kit.errors import ApiError
from sportello.base.clock import now_utc
from sportello.errors import problem
from sportello.state import AppState


async def contact_data(request: Request) -> Response:
    state: AppState = request.app.state.sportello
    settings = state.settings
    async with state.engine.connect() as db:
        transaction = await db.begin()
        try:
            identity = await authenticate(db, request, settings, now_utc(), check_origin=False)
        except ApiError as refused:
            status = 403 if refused.code == "FORBIDDEN" else 401
            return problem(status, refused.code, refused.message)
        if identity.scope is None:
            return problem(401, "UNAUTHENTICATED", "Authentication required.")
        if ADMIN_ONLY.check(identity.principal) is not None:
            return problem(403, "FORBIDDEN", "A contact's data is for administrators only.")
        await bind(db, identity)
        organization_id = identity.scope.organization_id
        contact_id = ids.decode("PortalAccess", request.path_params["id"])
        data = (
            await privacy.contact_data(db, organization_id, contact_id)
            if contact_id is not None
            else None
        )
        if contact_id is None or data is None:
            return problem(404, "NOT_FOUND", "No such portal access.")
        await audit.record(
            db,
            organization_id,
            "contact_data_exported",
            actor=audit.actor_of(identity.principal),
            ip=client_address(request, settings),
            subject_type="Contact",
            subject_id=contact_id,
        )
        await transaction.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    return Response(
        body,
        media_type="application/json; charset=utf-8",
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": f'attachment; filename="contact-{contact_id}.json"',
        },
    )
