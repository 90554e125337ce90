"""Opaque bearer secrets: sessions, partner tokens and one-use links.

Each secret carries 256 random bits behind a short prefix that says what it is (so a leaked
string is recognisable and a partner token is never mistaken for a session). Only the SHA-256
of a secret is stored: with that much randomness a salted slow hash adds nothing, and lookup by
hash stays one index probe.
"""

from __future__ import annotations

import hashlib
import secrets

SESSION = "sps_"
PARTNER = "spp_"
LINK = "spl_"

_RANDOM_BYTES = 32


def new_secret(prefix: str) -> tuple[str, bytes]:
    """A fresh secret and the digest to store."""
    token = prefix + secrets.token_urlsafe(_RANDOM_BYTES)
    return token, digest(token)


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def looks_like(token: str, prefix: str) -> bool:
    """A cheap shape check before any lookup (and before hashing attacker-sized input)."""
    return token.startswith(prefix) and len(token) <= 100
