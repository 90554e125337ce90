"""The three servers under test, each a child process on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bench.cluster import POSTGRAPHILE_ROLE, WORK, Cluster
from sportello.base.settings import PARTNER_BUDGET_MAX

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
LOGS = WORK / "logs"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    _log_file: IO[bytes] = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User and system CPU time the process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()


def _start(
    name: str, command: Sequence[str], env: dict[str, str], port: int, cwd: Path = ROOT
) -> Server:
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{name}.log"
    log_file = log.open("wb")
    process = subprocess.Popen(  # noqa: S603
        command, cwd=cwd, env=os.environ | env, stdout=log_file, stderr=subprocess.STDOUT
    )
    server = Server(name, port, process, log, log_file)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            server.stop()
            raise RuntimeError(f"{name} exited at start; see {log}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} did not listen on port {port} within 60 s; see {log}")


def start_sportello(cluster: Cluster, **settings: str) -> Server:
    """``python -m sportello serve``, as deployed: one uvicorn process, default pool, unless
    ``settings`` (``SPORTELLO_...`` variables) say otherwise."""
    port = free_port()
    env = {
        "DATABASE_URL": cluster.sqlalchemy_url,
        "SPORTELLO_DATA_DIR": str(WORK / "sportello"),
        # Partner tokens are metered per minute (sportello/rate_limit.py); the benchmark's
        # token sends thousands of requests a minute, so the budget is lifted (it is still
        # counted: one statement per request).
        "SPORTELLO_PARTNER_REQUESTS_PER_MINUTE": str(PARTNER_BUDGET_MAX),
        "SPORTELLO_PARTNER_COST_PER_MINUTE": str(PARTNER_BUDGET_MAX),
        # So are sessions, and each principal gets only its share of the turns
        # (sportello/admission.py): the benchmark loads the server with one principal, so its
        # budget and share are lifted too (bench/fairness.py measures the shares).
        "SPORTELLO_SESSION_COST_PER_MINUTE": str(PARTNER_BUDGET_MAX),
        "SPORTELLO_PRINCIPAL_CONCURRENT_REQUESTS": "1000",
        "SPORTELLO_PRINCIPAL_WAITING_REQUESTS": "1000",
        # Anonymous callers are admitted 60 requests a minute per address: the login workload
        # comes from one address, thousands a minute.
        "SPORTELLO_ANONYMOUS_REQUESTS_PER_MINUTE": str(PARTNER_BUDGET_MAX),
    } | settings
    command = [sys.executable, "-m", "sportello", "serve", "--port", str(port)]
    return _start("sportello", command, env, port)


def start_floor(cluster: Cluster) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "bench.floor", cluster.dsn(), str(port)]
    return _start("floor", command, {}, port)


def start_postgraphile(cluster: Cluster, organization_id: str) -> Server:
    port = free_port()
    command = [
        "node",
        str(BENCH / "postgraphile.js"),
        cluster.dsn(POSTGRAPHILE_ROLE),
        str(port),
        organization_id,
    ]
    return _start("postgraphile", command, {"NODE_ENV": "production"}, port, cwd=BENCH)
