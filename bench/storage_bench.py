"""The document store: uploading and downloading a 5 MB file, local disk against S3.

Run by hand, never from the tests: ``.venv/bin/python -m bench.storage_bench [--runs N]``.

Each run goes through db/storage.py exactly as ``POST /files`` and ``GET /files/{id}`` do,
without the HTTP and database work around them: an upload is ``receive`` (streamed from a
spooled file into ``.incoming/`` while hashed and sniffed) plus ``place`` (the rename to its
key; on S3 a server-side copy and a delete); a download reads every chunk ``open`` streams.
The S3 server is moto's server mode on loopback (a subprocess, so its CPU is not ours), on the
same 2 cores: the figures say what our side of the store costs, not what a real bucket over a
network would take. Prints median and fastest milliseconds and the median throughput in MB/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from db.storage import Store, open_store

SIZE = 5 * 1024 * 1024
# A PDF by its first bytes (the type sniffed on upload), then incompressible bytes.
DATA = b"%PDF-1.7\n" + os.urandom(SIZE - 9)


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    """moto's S3 server on a free loopback port with a bucket ``bench``, and its endpoint."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.put(f"{endpoint}/bench", timeout=1).raise_for_status()
            return server, endpoint
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("moto did not start")


async def upload(store: Store, spool: Path) -> str:
    with spool.open("rb") as source:
        received = await store.receive(source, SIZE)
    key = f"bench/{uuid.uuid4().hex}"
    await store.place(received, key)
    return key


async def download(store: Store, key: str) -> None:
    opened = await store.open(key)
    assert opened is not None
    read = 0
    async for chunk in opened.chunks:
        read += len(chunk)
    assert read == SIZE


async def timed(work: Callable[[], Awaitable[object]]) -> tuple[float, object]:
    started = time.perf_counter()
    result = await work()
    return (time.perf_counter() - started) * 1000, result


async def measure(name: str, store: Store, spool: Path, runs: int) -> None:
    ups: list[float] = []
    downs: list[float] = []
    for _ in range(runs):
        took, key = await timed(lambda: upload(store, spool))
        ups.append(took)
        assert isinstance(key, str)
        took, _ = await timed(lambda key=key: download(store, key))  # type: ignore[misc]
        downs.append(took)
        await store.discard(key)
    for label, times in (("upload", ups), ("download", downs)):
        median = statistics.median(times)
        rate = SIZE / 1e6 / (median / 1000)
        print(f"| {name} | {label} | {median:.1f} | {min(times):.1f} | {rate:.0f} |")


async def main(runs: int) -> None:
    print(f"# {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"# {runs} runs of a {SIZE // (1024 * 1024)} MB file")
    print("| store | operation | median ms | fastest ms | MB/s (median) |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        spool = Path(folder) / "upload"
        spool.write_bytes(DATA)
        await measure("local disk", open_store(str(Path(folder) / "files")), spool, runs)
        # moto takes any credentials; the store needs some.
        os.environ.update(
            AWS_ACCESS_KEY_ID="bench",
            AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106
            AWS_REGION="us-east-1",
        )
        server, endpoint = start_moto()
        try:
            store = open_store("s3://bench/documents", endpoint)
            await measure("S3 (moto, loopback)", store, spool, runs)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    asyncio.run(main(parser.parse_args().runs))
