"""Document files in an object store: a local folder or an S3 bucket, behind one async API.

obstore's LocalStore and S3Store share one interface, so the routes, the work sheet's PDF and
the mail worker never know which one holds the files (``SPORTELLO_STORAGE_URL``,
sportello/base/settings.py). Keys are the ones the local folder always had: the demo seed stores a
file as ``<sha[:2]>/<sha>``, an upload as ``<sha[:2]>/<sha>-<document id>`` (the same bytes
uploaded to two records are two documents, each removable on its own), a logo as
db/queries/organization_logo.py ``logo_key`` says.

An upload streams to ``.incoming/<random>`` while it is hashed, sniffed and counted
(:meth:`Store.receive`, never the whole file in memory), and is renamed to its key only inside
the transaction that inserts its row (:meth:`Store.place`; on S3 a server-side copy and a
delete). A store failing mid-upload therefore leaves no row, and a failed transaction removes
what it placed. A process killed in between leaves an object under ``.incoming/`` that no row
names (a bucket lifecycle rule on that prefix removes them).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import re
import secrets
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import quote, urlsplit

import obstore
from obstore.store import LocalStore, S3Store

from sportello.base.settings import Settings

if TYPE_CHECKING:
    from obstore import Attributes
    from obstore.store import ClientConfig, RetryConfig

# Bytes read from an upload at a time (obstore gathers them into 5 MB parts for S3).
CHUNK = 1024 * 1024
INCOMING = ".incoming/"

# Leading bytes of the formats accepted for upload, and the MIME type each one is stored as.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
# What an organization's logo may be: raster images a browser shows without running anything
# (never SVG, whose XML can carry script, nor a PDF).
RASTER_IMAGES = frozenset({"image/png", "image/jpeg", "image/webp"})
# The content hash every key written here starts with (``<sha[:2]>/<sha>...``).
HASHED_KEY = re.compile(r"[0-9a-f]{2}/([0-9a-f]{64})")


class TooLarge(ValueError):
    """The file is larger than the upload limit."""


class UnsupportedType(ValueError):
    """The file is not of a type the caller accepts."""


class StoreUnavailable(Exception):
    """The object store cannot be used; the message says why in one line."""


def sniff(head: bytes) -> str | None:
    """The MIME type the leading bytes say the file is; None for anything else."""
    return next((mime for magic, mime in SIGNATURES if head.startswith(magic)), None)


def sniff_raster(head: bytes) -> str | None:
    """The MIME type of a PNG, JPEG or WebP image by its leading bytes; None otherwise."""
    # WebP: a RIFF container whose form type, after the 4-byte length, is WEBP.
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    mime_type = sniff(head)
    return mime_type if mime_type in RASTER_IMAGES else None


def storage_key(sha256: str, document_id: uuid.UUID) -> str:
    """The key of an uploaded document's file."""
    return f"{sha256[:2]}/{sha256}-{document_id.hex}"


def expected_hash(key: str) -> str | None:
    """The sha256 a key is named by, if it is one this store wrote."""
    named = HASHED_KEY.match(key)
    return named.group(1) if named else None


def attachment(file_name: str) -> str:
    """A Content-Disposition that downloads the file under ``file_name``, as Starlette's
    FileResponse writes it (RFC 6266's ``filename*`` for names that need escaping)."""
    quoted = quote(file_name)
    if quoted != file_name:
        return f"attachment; filename*=utf-8''{quoted}"
    return f'attachment; filename="{file_name}"'


@dataclasses.dataclass(frozen=True)
class Received:
    """An upload stored under ``.incoming/``, not yet part of any record."""

    key: str
    sha256: str
    size: int
    mime_type: str


@dataclasses.dataclass(frozen=True)
class Opened:
    """A stored file being read: its size and its bytes, chunk by chunk."""

    size: int
    chunks: AsyncIterator[bytes]


class _Counted:
    """The chunks of ``source``, hashed and counted as they pass; TooLarge past ``limit``."""

    def __init__(self, source: AsyncIterable[bytes], limit: int | None = None) -> None:
        self.source = source
        self.limit = limit
        self.digest = hashlib.sha256()
        self.size = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.source:
            self.size += len(chunk)
            if self.limit is not None and self.size > self.limit:
                raise TooLarge(f"files may have at most {self.limit} bytes")
            self.digest.update(chunk)
            yield chunk


async def _read_file(source: BinaryIO, first: bytes) -> AsyncIterator[bytes]:
    chunk = first
    while chunk:
        yield chunk
        chunk = await asyncio.to_thread(source.read, CHUNK)


class Store:
    """One object store; ``location`` names it in messages (a folder or ``s3://bucket/...``)."""

    def __init__(self, inner: LocalStore | S3Store, location: str) -> None:
        self.inner = inner
        self.location = location

    def _kept(self, attributes: Attributes) -> Attributes | None:
        """``attributes`` where the store keeps them (S3; a folder keeps none)."""
        return attributes if isinstance(self.inner, S3Store) and attributes else None

    async def receive(
        self,
        source: BinaryIO,
        limit: int,
        sniffer: Callable[[bytes], str | None] = sniff,
        file_name: Callable[[str], str] | None = None,
    ) -> Received:
        """Stream ``source`` under ``.incoming/`` while hashing it; TooLarge, UnsupportedType
        (``sniffer`` names the accepted types from the leading bytes: documents' by default),
        StoreUnavailable when the store fails.
        ``file_name`` (given the MIME type) is kept with the object so a presigned download
        names the file as the portal does."""
        source.seek(0)
        first = await asyncio.to_thread(source.read, CHUNK)
        mime_type = sniffer(first)
        if mime_type is None:
            raise UnsupportedType("send a PDF, PNG or JPEG file")
        attributes: Attributes = {"Content-Type": mime_type}
        if file_name is not None:
            attributes["Content-Disposition"] = attachment(file_name(mime_type))
        key = f"{INCOMING}{secrets.token_hex(16)}"
        counted = _Counted(_read_file(source, first), limit)
        try:
            await obstore.put_async(self.inner, key, counted, attributes=self._kept(attributes))
        except BaseException as error:
            # Best effort: the store that failed may fail this too (a lifecycle rule on
            # .incoming/ removes what stays).
            with contextlib.suppress(Exception):
                await self.discard(key)
            if isinstance(error, Exception) and not isinstance(error, TooLarge):
                raise StoreUnavailable(f"{self.location}: {_reason(error)}") from error
            raise
        return Received(key, counted.digest.hexdigest(), counted.size, mime_type)

    async def place(self, received: Received, key: str) -> None:
        """Move a received file to its key."""
        await obstore.rename_async(self.inner, received.key, key)

    async def discard(self, *keys: str) -> None:
        """Remove what a failed change wrote, or a file no record names any more."""
        for key in keys:
            with contextlib.suppress(FileNotFoundError):
                await obstore.delete_async(self.inner, key)

    async def open(self, key: str) -> Opened | None:
        """The stored file of ``key``, or None when the store has no such object."""
        try:
            result = await obstore.get_async(self.inner, key)
        except (FileNotFoundError, ValueError):
            # ValueError: a key the store refuses as a path (``..``), which nothing wrote.
            return None
        return Opened(result.meta["size"], aiter(result.stream(min_chunk_size=CHUNK)))

    async def read(self, key: str) -> bytes | None:
        """The whole stored file of ``key`` (a logo, a mail attachment), or None."""
        try:
            result = await obstore.get_async(self.inner, key)
        except (FileNotFoundError, ValueError):
            return None
        return bytes(await result.bytes_async())

    async def presigned(self, key: str, seconds: int) -> str | None:
        """A URL that downloads ``key`` for ``seconds``, when the object exists and carries its
        download name (files copied from a folder have none: those are streamed instead)."""
        assert isinstance(self.inner, S3Store)
        try:
            head = await obstore.get_async(self.inner, key, options={"head": True})
        except (FileNotFoundError, ValueError):
            return None
        if "Content-Disposition" not in head.attributes:
            return None
        return await obstore.sign_async(self.inner, "GET", key, dt.timedelta(seconds=seconds))

    async def write(self, key: str, chunks: AsyncIterable[bytes], mime_type: str | None) -> str:
        """Store ``chunks`` under ``key`` and return their sha256 (the copy command's step)."""
        counted = _Counted(chunks)
        attributes: Attributes = {"Content-Type": mime_type} if mime_type else {}
        await obstore.put_async(self.inner, key, counted, attributes=self._kept(attributes))
        return counted.digest.hexdigest()

    async def hash_of(self, key: str) -> str | None:
        """The sha256 of the stored object ``key``, read back from the store; None if absent."""
        opened = await self.open(key)
        if opened is None:
            return None
        counted = _Counted(opened.chunks)
        async for _ in counted:
            pass
        return counted.digest.hexdigest()

    async def keys(self) -> AsyncIterator[str]:
        """Every key in the store but unfinished uploads, in the store's order."""
        async for batch in obstore.list(self.inner, chunk_size=1000):
            for meta in batch:
                if not meta["path"].startswith(INCOMING):
                    yield meta["path"]

    async def check(self) -> None:
        """Prove the store answers with one cheap listing; StoreUnavailable says what is wrong."""
        try:
            await anext(aiter(obstore.list(self.inner, chunk_size=1)), None)
        except Exception as error:
            raise StoreUnavailable(f"{self.location}: {_reason(error)}") from None


def _reason(error: Exception) -> str:
    """What an operator must fix, from an obstore error (whose text is many lines)."""
    text = str(error)
    if "NoSuchBucket" in text:
        return "the bucket does not exist; create it or fix SPORTELLO_STORAGE_URL"
    if isinstance(error, PermissionError) or any(
        code in text
        for code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "403")
    ):
        return "the credentials were refused; check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    if isinstance(error, OSError) and not isinstance(error, FileNotFoundError):
        return f"cannot use the folder ({error.strerror or type(error).__name__})"
    if "error sending request" in text or "connect" in text.lower() or "timed out" in text:
        return "unreachable; check SPORTELLO_STORAGE_ENDPOINT and the network"
    return text.splitlines()[0][:200]


# Few retries: a refused start must come within seconds, and a failing request of a user
# should fail rather than hang; uploads and downloads get five minutes per request.
RETRY: RetryConfig = {
    "max_retries": 2,
    "backoff": {"init_backoff": dt.timedelta(milliseconds=200)},
    "retry_timeout": dt.timedelta(seconds=10),
}


# obstore runs its I/O on threads of its own (a Tokio runtime) that the interpreter's exit
# does not wait for: a process that exits right after its last use of a store sometimes
# aborts (SIGABRT, seen in half the runs of a short script here), a thread still finishing
# that work as the interpreter is torn down. A tenth of a second at exit lets it finish
# (0 aborts in 80 runs); only processes that opened a store pay it.
SETTLE_SECONDS = 0.1


@functools.cache
def _settle_at_exit() -> None:
    atexit.register(time.sleep, SETTLE_SECONDS)


@functools.cache
def open_store(location: str, endpoint: str | None = None) -> Store:
    """The store at ``location``: ``s3://bucket/prefix`` (endpoint, region and credentials from
    the AWS_* variables, ``endpoint`` overriding), ``file:///folder`` or a folder path. One
    per process and location, so its connections are reused."""
    _settle_at_exit()
    if location.startswith("s3://"):
        parts = urlsplit(location)
        options: ClientConfig = {"timeout": "300s", "connect_timeout": "5s"}
        if endpoint is not None and endpoint.startswith("http://"):
            options["allow_http"] = True
        inner = S3Store(
            parts.netloc,
            prefix=parts.path.strip("/") or None,
            endpoint=endpoint,
            client_options=options,
            retry_config=RETRY,
        )
        return Store(inner, location)
    folder = Path(location.removeprefix("file://"))
    try:
        return Store(LocalStore(folder.resolve(), mkdir=True), str(folder))
    except OSError as error:
        raise StoreUnavailable(f"{folder}: {_reason(error)}") from None


def store_for(settings: Settings) -> Store:
    """The document store of ``settings`` (one per process and location: its connections are
    reused)."""
    return open_store(settings.storage_location, settings.storage_endpoint)
