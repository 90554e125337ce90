"""What the identity tests share with the tests of the mutations that mail links."""

from __future__ import annotations

import re

from tests.api import Api


async def mailed_link(api: Api, email: str) -> str:
    """The one-use link token (``spl_...``) of the newest mail sent to ``email``."""
    body = await api.scalar(
        "SELECT body_text FROM outbox_message WHERE to_address = :e "
        "ORDER BY created_at DESC LIMIT 1",
        e=email,
    )
    match = re.search(r"#token=(spl_[A-Za-z0-9_-]+)", body)
    assert match is not None, body
    return match.group(1)
