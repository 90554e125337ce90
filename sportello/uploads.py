"""What ``POST /files`` and ``POST /branding/logo`` share: a bounded multipart body, the file
received into the document store, and the rows written with the file moved into place.

The file streams into the store while the body is read (db/storage.py); its rows are written,
then the file moved to its key and the transaction committed. Whatever fails on the way, the
file received is discarded: nothing half-stored stays, and the answer is a Refusal in the one
error shape (sportello/errors.py).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator

from sqlalchemy.ext.asyncio import AsyncTransaction
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import Message

from db import storage
from sportello.errors import MASKED, Refusal

log = logging.getLogger("sportello.files")

# Room for the multipart framing and the small fields around the file.
FORM_OVERHEAD = 64 * 1024


class BodyTooLarge(Exception):
    """The request body went past the upload limit while it was being read."""


def too_large(limit: int) -> Refusal:
    return Refusal(413, "PAYLOAD_TOO_LARGE", f"Files may have at most {limit} bytes.")


def store_unavailable() -> Refusal:
    """An upload the document store failed to take: nothing was recorded, try again."""
    return Refusal(503, "SERVICE_UNAVAILABLE", "The document store is unavailable; try again.")


def check_upload(request: Request, max_bytes: int, what: str) -> None:
    """Refuse, before anything else, a body that is not multipart or says it is too large."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        raise Refusal(415, "UNSUPPORTED_MEDIA_TYPE", f"Send {what} as multipart/form-data.")
    declared = request.headers.get("content-length")
    limit = max_bytes + FORM_OVERHEAD
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise too_large(max_bytes)


def _limited(
    receive: Callable[[], Awaitable[Message]], limit: int
) -> Callable[[], Awaitable[Message]]:
    received = 0

    async def limited() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge
        return message

    return limited


async def read_form(request: Request, max_bytes: int, *, max_fields: int) -> FormData:
    """The multipart form of ``request``, read no further than ``max_bytes`` of file."""
    receive = _limited(request.receive, max_bytes + FORM_OVERHEAD)
    try:
        return await Request(request.scope, receive).form(max_files=1, max_fields=max_fields)
    except BodyTooLarge:
        raise too_large(max_bytes) from None
    except HTTPException:
        raise Refusal(400, "BAD_REQUEST", "The multipart body is not valid.") from None


@contextlib.contextmanager
def receiving(max_bytes: int, unsupported: str) -> Iterator[None]:
    """The document store's refusals of a file being received, as answers: too large (413),
    of a type not accepted (415, ``unsupported`` followed by what it is), store down (503)."""
    try:
        yield
    except storage.TooLarge:
        raise too_large(max_bytes) from None
    except storage.StoreUnavailable:
        log.exception("the document store failed during an upload")
        raise store_unavailable() from None
    except storage.UnsupportedType as refused:
        raise Refusal(415, "UNSUPPORTED_MEDIA_TYPE", unsupported.format(refused)) from None


async def keep(
    store: storage.Store,
    incoming: storage.Received,
    key: str,
    transaction: AsyncTransaction,
    writes: Callable[[], Awaitable[bool]],
    failure: str,
) -> bool:
    """Run ``writes``, then move the received file to ``key`` and commit. False when the writes
    found nothing to change (the file received is discarded, nothing committed). Any failure
    discards the file, is logged with ``failure`` and answers the masked 500; the transaction
    is rolled back as its connection closes."""
    try:
        if not await writes():
            await store.discard(incoming.key)
            return False
        await store.place(incoming, key)
        await transaction.commit()
    except Exception:
        await store.discard(incoming.key, key)
        log.exception(failure)
        raise Refusal(500, "INTERNAL_SERVER_ERROR", MASKED) from None
    except BaseException:
        await store.discard(incoming.key, key)
        raise
    return True
