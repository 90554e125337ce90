"""Loading one endpoint with one request body at a fixed concurrency for a fixed time.

wrk (the Debian package) when it is installed: one thread, N connections, the figures printed
by bench/post.lua. Without it, a small asyncio load generator on httpx does the same (closed
loop, N workers, each sending its next request when the previous answer arrived); it costs
more CPU than wrk on the same two cores, so its figures are lower and RESULTS.md says which
generator ran.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

POST_LUA = Path(__file__).resolve().parent / "post.lua"


@dataclass(frozen=True)
class Figures:
    concurrency: int
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failures: int

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def generator() -> str:
    return "wrk" if shutil.which("wrk") else "httpx (Python, asyncio)"


def run(
    url: str, body: dict[str, Any], auth: str | None, concurrency: int, seconds: float
) -> Figures:
    if shutil.which("wrk"):
        return _wrk(url, body, auth, concurrency, seconds)
    return asyncio.run(_python(url, body, auth, concurrency, seconds))


def _wrk(
    url: str, body: dict[str, Any], auth: str | None, concurrency: int, seconds: float
) -> Figures:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(body, file)
    try:
        env = os.environ | {"BENCH_BODY": file.name, "BENCH_AUTH": auth or ""}
        command = [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{seconds:g}s",
            "--timeout",
            "30s",
            "-s",
            str(POST_LUA),
            url,
        ]
        finished = subprocess.run(command, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    finally:
        os.unlink(file.name)
    line = next(line for line in finished.stdout.splitlines() if line.startswith('{"requests"'))
    out = json.loads(line)
    return Figures(
        concurrency=concurrency,
        requests=out["requests"],
        seconds=out["duration_us"] / 1e6,
        p50_ms=out["p50_us"] / 1000,
        p99_ms=out["p99_us"] / 1000,
        failures=out["non_2xx"] + out["socket_errors"],
    )


async def _python(
    url: str, body: dict[str, Any], auth: str | None, concurrency: int, seconds: float
) -> Figures:
    headers = {"content-type": "application/json"}
    if auth:
        headers["authorization"] = auth
    content = json.dumps(body).encode()
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        started = time.perf_counter()
        deadline = started + seconds

        async def worker() -> None:
            nonlocal failures
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                response = await client.post(url, content=content, headers=headers)
                latencies.append(time.perf_counter() - sent)
                if response.status_code != 200:
                    failures += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return Figures(
        concurrency=concurrency,
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=cuts[49] * 1000,
        p99_ms=cuts[98] * 1000,
        failures=failures,
    )
