"""Calendar feed links: ``<public_url>/calendar/<secret>.ics``.

The secret is derived, not stored: HMAC-SHA256 of the feed's random seed keyed with
``settings.file_signing_key`` (authz/identity/file_links.py), behind the prefix ``spc_``.
The database keeps the seed and the secret's SHA-256 (authz/secrets.py): the route finds a
feed by the hash in one index probe, and the portal's account page can show its contact the
link again, while a copy of the database alone yields no working link.

Without ``file_signing_key`` the key is drawn per process: links issued then stop working at
the next restart (the account page shows none until the office issues a new one). Set the key
wherever feeds must last.
"""

from __future__ import annotations

import base64
import hmac
import secrets as random

from authz import secrets
from authz.identity import file_links
from sportello.base.settings import Settings

PREFIX = "spc_"
_SEED_BYTES = 32


def new_seed() -> bytes:
    return random.token_bytes(_SEED_BYTES)


def secret(settings: Settings, seed: bytes) -> str:
    """The secret of the feed with ``seed`` under the current key."""
    mac = hmac.digest(file_links.signing_key(settings), b"calendar-feed:" + seed, "sha256")
    return PREFIX + base64.urlsafe_b64encode(mac).decode().rstrip("=")


def url(settings: Settings, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}/calendar/{token}.ics"


def looks_like(token: str) -> bool:
    return secrets.looks_like(token, PREFIX)
