"""What a GraphQL operation leaves besides its result: the session cookie that logging in and
out ask for, and the audit of staff previewing the portal as a contact."""

from __future__ import annotations

from starlette.responses import Response

from authz.identity.authenticate import COOKIE
from authz.principals import ContactPrincipal
from db.queries import audit
from schema.kit.context import Context
from sportello.base.settings import Settings
from sportello.state import AppState


async def record_preview(state: AppState, contact: ContactPrincipal, ip: str | None) -> None:
    """Staff looking at the portal as a contact is audited, whatever the request's outcome."""
    staff = contact.viewed_by
    assert staff is not None
    async with state.engine.begin() as independent:
        await audit.record(
            independent,
            contact.organization_id,
            "portal_previewed",
            actor=audit.ActorRef("STAFF", staff.user_id),
            ip=ip,
            subject_type="Contact",
            subject_id=contact.contact_id,
        )


def apply_cookies(response: Response, context: Context, settings: Settings) -> None:
    """Set or clear the session cookie as login and logout asked."""
    if context.set_session_token is not None:
        response.set_cookie(
            COOKIE,
            context.set_session_token,
            max_age=settings.session_absolute_hours * 3600,
            httponly=True,
            secure=settings.secure_cookies,
            samesite="lax",
            path="/",
        )
    elif context.clear_session_cookie:
        response.delete_cookie(
            COOKIE, httponly=True, secure=settings.secure_cookies, samesite="lax", path="/"
        )
