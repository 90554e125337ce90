"""Operating the document store from the command line, run by sportello/cli.py as
``python -m sportello.storage_ops`` (see the end of this file for why): the check ``serve``
makes before it starts, and ``sportello storage copy --to s3://bucket/prefix``, which moves
a local document folder to a bucket.

The copy keeps every key. Each file is hashed as it is read: one whose bytes do not match the
sha256 its key is named by (every key Sportello writes starts with it) is damaged and is not
copied. What is written is read back from the bucket and hashed again; an object already
there with the same hash is left alone, so the command can run again after an interruption
(or while the old server still writes) and copies only what is missing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys
from collections.abc import AsyncIterator

from db.storage import Store, StoreUnavailable, expected_hash, open_store, sniff_raster


@dataclasses.dataclass
class CopyReport:
    copied: int = 0
    present: int = 0
    # Keys that were not copied, or not copied faithfully, with the reason.
    refused: dict[str, str] = dataclasses.field(default_factory=dict)


async def _typed(chunks: AsyncIterator[bytes]) -> tuple[str | None, AsyncIterator[bytes]]:
    """The MIME type the first chunk shows, and every chunk again."""
    first = await anext(chunks, b"")

    async def again() -> AsyncIterator[bytes]:
        yield first
        async for chunk in chunks:
            yield chunk

    return sniff_raster(first), again()


async def copy_store(source: Store, target: Store) -> CopyReport:
    """Copy every file of ``source`` to ``target``, verifying each one's hash."""
    report = CopyReport()
    async for key in source.keys():
        local = await source.hash_of(key)
        named = expected_hash(key)
        if local is None:
            continue  # removed since it was listed
        if named is not None and local != named:
            report.refused[key] = f"its content does not match its name (sha256 {local})"
            continue
        if await target.hash_of(key) == local:
            report.present += 1
            continue
        opened = await source.open(key)
        if opened is None:
            continue
        mime_type, chunks = await _typed(opened.chunks)
        written = await target.write(key, chunks, mime_type)
        if written != local or await target.hash_of(key) != local:
            report.refused[key] = "the copy read back from the bucket differs"
            continue
        report.copied += 1
    return report


def problem(location: str, endpoint: str | None) -> str | None:
    """Why the store at ``location`` cannot be used, in one line; None when it answers."""

    async def check() -> None:
        await open_store(location, endpoint).check()

    try:
        asyncio.run(check())
    except StoreUnavailable as unavailable:
        return str(unavailable)
    return None


async def _copy(source: str, target: str, endpoint: str | None) -> int:
    report = await copy_store(open_store(source), open_store(target, endpoint))
    print(f"copied {report.copied}, already there {report.present}, refused {len(report.refused)}")
    for key, reason in sorted(report.refused.items()):
        print(f"  {key}: {reason}", file=sys.stderr)
    return 1 if report.refused else 0


def main(argv: list[str]) -> int:
    """``check LOCATION ENDPOINT``: print why the store cannot be used (an empty line when it
    can). ``copy FOLDER TARGET ENDPOINT``: copy and report (exit 1 when a file was refused)."""
    action, *args = argv
    endpoint = args[-1] or None
    if action == "check":
        print(problem(args[0], endpoint) or "")
        return 0
    try:
        return asyncio.run(_copy(args[0], args[1], endpoint))
    except StoreUnavailable as unavailable:
        print(f"sportello: the document store cannot be used: {unavailable}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    # sportello/cli.py runs these in a process of their own: obstore's runtime, once started,
    # does not survive the fork of ``serve --workers``; and its threads, still winding down
    # right after a short command, can abort the interpreter's finalization (SIGABRT), so the
    # process ends without it once its output is flushed.
    status = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
