"""Serving the application: uvicorn in this process, or several processes sharing the port
(sportello/processes.py), each with the garbage collector set for serving; and the checks
made before serving (the port free, the database at the newest migration, the document
store usable), so that a misconfiguration ends the command with one line."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from sportello.base.errors import StartupError
from sportello.base.settings import Settings
from sportello.command_database import require_current, with_engine
from sportello.processes import SigningKeyRequired, bound_socket, serve_forked

if TYPE_CHECKING:
    import uvicorn


def ensure_port_free(host: str, port: int) -> None:
    bound_socket(host, port).close()


def storage_ops(*args: str, capture: bool) -> subprocess.CompletedProcess[str]:
    """``python -m sportello.storage_ops ARGS`` (sportello/storage_ops.py says why apart)."""
    return subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "sportello.storage_ops", *args],
        capture_output=capture,
        text=True,
        check=False,
    )


def require_store(settings: Settings, location: str | None = None) -> None:
    """Refuse to go on when the document store (or ``location``) cannot be used: unreachable,
    no such bucket, credentials refused. One cheap listing."""
    location = location or settings.storage_location
    checked = storage_ops("check", location, settings.storage_endpoint or "", capture=True)
    reason = checked.stdout.strip()
    if not reason and checked.returncode != 0:
        reason = f"the check ended with status {checked.returncode}"
    if reason:
        raise StartupError(f"the document store cannot be used: {reason}")


# Tracked objects allocated (net of those freed) between two passes of the youngest generation
# of the garbage collector; Python's default is 700.
YOUNG_GENERATION_THRESHOLD = 10_000


def prepare_collector() -> None:
    """The garbage collector set for serving, once everything long-lived is built.

    Everything built so far (modules, schema views, SQLAlchemy metadata) lives as long as the
    process: frozen out of the collector's reach, full collections stop walking it on every
    pass, which showed as latency spikes under load (bench/RESULTS.md). A request leaves no
    reference cycles behind (tests/api/dashboard/test_queries.py): its objects are freed when it
    ends, and a pass of the youngest generation during a request only walks what the request
    still holds, finding nothing to free (two passes per dashboard, 0.2 ms, with Python's
    default of one pass per 700 objects). With one per 10,000 a request runs without any;
    cycles left by unusual paths (an error's traceback) are still collected, later.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *gc.get_threshold()[1:])


def _server(config: uvicorn.Config) -> uvicorn.Server:
    """uvicorn's server, which also shuts down gracefully on SIGHUP (uvicorn handles SIGINT
    and SIGTERM only; SIGHUP's default action ended the process at once)."""
    import uvicorn

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            with super().capture_signals():
                # Restored before uvicorn raises the signals it caught again, on the way out.
                previous = signal.signal(signal.SIGHUP, self.handle_exit)
                try:
                    yield
                finally:
                    signal.signal(signal.SIGHUP, previous)

    return Server(config)


def serve(
    settings: Settings,
    banner: Callable[[], None] | None = None,
    *,
    with_worker: bool = False,
    workers: int = 1,
) -> int:
    """Serve until interrupted; with ``with_worker``, the mail worker runs in the same loop
    and stops when the server does. With ``workers`` above 1, that many processes share the
    port (sportello/processes.py), none of them with a mail worker; the exit status is 1 when
    one of them ended on its own."""
    if workers == 1:
        ensure_port_free(settings.host, settings.port)
        with_engine(settings, require_current)
        require_store(settings)
        _serve_here(settings, banner, with_worker=with_worker)
        return 0
    if settings.file_signing_key is None:
        raise SigningKeyRequired()
    listening = bound_socket(settings.host, settings.port)
    with_engine(settings, require_current)
    require_store(settings)
    return serve_forked(listening, workers, lambda sock: _serve_here(settings, sockets=[sock]))


def _serve_here(
    settings: Settings,
    banner: Callable[[], None] | None = None,
    *,
    with_worker: bool = False,
    sockets: list[socket.socket] | None = None,
) -> None:
    """Serve in this process, on ``sockets`` when given (else uvicorn binds the port)."""
    import uvicorn
    import uvloop

    from mailer.worker import run_worker
    from sportello.app import create_app

    app = create_app(settings)
    if banner is not None:
        banner()
    # httptools parses HTTP and uvloop runs the event loop (the loop is ours: see below).
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        # Our handler, text or JSON (sportello/logs.py), carries uvicorn's lines too.
        log_config=None,
        proxy_headers=False,
        http="httptools",
    )
    server = _server(config)
    prepare_collector()

    async def run() -> None:
        stop = asyncio.Event()
        worker = asyncio.create_task(run_worker(settings, stop=stop)) if with_worker else None
        try:
            await server.serve(sockets=sockets)
        finally:
            stop.set()
            if worker is not None:
                await worker

    uvloop.run(run())
