"""Signed download links: short-lived, and good only for the session that asked for them.

A link reads ``<public_url>/files/<document global id>?expires=<unix seconds>&sig=<hmac>``.
The signature is HMAC-SHA256, keyed with ``settings.file_signing_key``, over the document id,
the expiry and the holder: the session id of the staff user or contact who was handed the
link (or the partner token id). The download route (sportello/files_route.py) authenticates
the request again and recomputes the signature with that request's own session, so a link
copied to another person, replayed after it expired or edited in any way finds nothing.

Without ``file_signing_key`` each process draws a random key when it starts: links then stop
working when the process restarts, and processes behind one load balancer do not accept each
other's links. Set the key (any long random string) wherever that matters.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import uuid

from schema.kit import ids
from sportello.base.settings import Settings

# How long a link works after it was handed out.
LINK_SECONDS = 600

_PROCESS_KEY = secrets.token_bytes(32)


def signing_key(settings: Settings) -> bytes:
    """The configured key, or this process's random one."""
    if settings.file_signing_key:
        return settings.file_signing_key.encode()
    return _PROCESS_KEY


def signature(key: bytes, document_id: uuid.UUID, expires: int, holder: uuid.UUID) -> str:
    """The ``sig`` parameter of a link (base64url, no padding)."""
    message = f"{document_id}:{expires}:{holder}".encode()
    digest = hmac.digest(key, message, "sha256")
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def download_url(settings: Settings, document_id: uuid.UUID, holder: uuid.UUID, now: float) -> str:
    """A link to the document for ``holder``, working for LINK_SECONDS from ``now``."""
    expires = int(now) + LINK_SECONDS
    sig = signature(signing_key(settings), document_id, expires, holder)
    base = settings.public_url.rstrip("/")
    # Both values are URL-safe as they are: digits, and base64url without padding.
    return f"{base}/files/{ids.encode('Document', document_id)}?expires={expires}&sig={sig}"


def valid(
    settings: Settings,
    document_id: uuid.UUID,
    expires: int,
    holder: uuid.UUID,
    sig: str,
    now: float,
) -> bool:
    """Whether ``sig`` was made for this document, expiry and holder, and has not expired."""
    if expires < now:
        return False
    expected = signature(signing_key(settings), document_id, expires, holder)
    return hmac.compare_digest(expected.encode(), sig.encode())
