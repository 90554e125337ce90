"""Several server processes on one listening socket: ``sportello serve --workers N``.

The parent binds the socket, forks N children that each build the app and serve on it (the
kernel hands every new connection to one of them, as with gunicorn's or uvicorn's workers),
then only supervises: SIGINT, SIGTERM and SIGHUP are passed on to the children as SIGTERM
(each finishes its requests and stops), and when one child ends on its own the others are
stopped and the command fails, so the process manager that started it restarts the whole set
rather than running on with fewer processes than asked. Everything the processes share lives
in PostgreSQL or comes from the settings (docs/scaling.md).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
from collections.abc import Callable
from types import FrameType

from sportello.base.errors import StartupError

# Connections the kernel queues for the processes to accept (uvicorn's default).
BACKLOG = 2048
SUPERVISED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class SigningKeyRequired(StartupError):
    """More than one process was asked for without a shared key for download links."""

    def __init__(self) -> None:
        super().__init__(
            "several processes need one SPORTELLO_FILE_SIGNING_KEY: a download link signed by "
            "one process must open on the others; set it to a long random secret "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )


def bound_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port``; one line for the operator when it is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise StartupError(
            f"{host}:{port} is already in use; stop what listens there or set SPORTELLO_PORT"
        ) from None
    return sock


def serve_forked(sock: socket.socket, count: int, child: Callable[[socket.socket], None]) -> int:
    """Run ``child(sock)`` in ``count`` forked processes until they are told to stop.

    Returns 0 when they stopped because the command was asked to stop, 1 when one ended on
    its own. A child never returns into the caller's code: the blocks around this call (the
    embedded database it started) belong to the parent alone.
    """
    sock.listen(BACKLOG)
    # What is buffered now would otherwise be written again by every child.
    sys.stdout.flush()
    sys.stderr.flush()
    children: set[int] = set()
    stopping = False

    def stop(_: int, __: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            _signal(pid, signal.SIGTERM)

    # Installed before the first fork: a signal arriving meanwhile still reaches every child.
    previous = {signum: signal.signal(signum, stop) for signum in SUPERVISED_SIGNALS}
    failed = False
    try:
        for _ in range(count):
            pid = os.fork()
            if pid == 0:
                _run_child(sock, child)
            children.add(pid)
        if stopping:  # asked to stop while forking: the later children were not told yet
            stop(signal.SIGTERM, None)
        host, port = sock.getsockname()[:2]
        sock.close()
        pids = ", ".join(map(str, sorted(children)))
        print(f"serving on http://{host}:{port} with {count} processes ({pids})", flush=True)
        while children:
            pid, status = os.wait()
            children.discard(pid)
            if not stopping:
                print(
                    f"sportello: server process {pid} ended ({_describe(status)}); "
                    "stopping the others",
                    file=sys.stderr,
                    flush=True,
                )
                failed = True
                stop(signal.SIGTERM, None)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 1 if failed else 0


def _run_child(sock: socket.socket, child: Callable[[socket.socket], None]) -> None:
    """The body of a forked process: serve, then leave at once (see :func:`serve_forked`)."""
    status = 1
    try:
        # The parent's handlers (which unwind its blocks) are not this process's: uvicorn
        # installs its own while serving, and a signal it raises again afterwards ends us.
        for signum in SUPERVISED_SIGNALS:
            signal.signal(signum, signal.SIG_DFL)
        child(sock)
        status = 0
    except BaseException as error:  # whatever happens, never return into the parent's code
        print(f"sportello: server process {os.getpid()} failed: {error!r}", file=sys.stderr)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it has just ended
        os.kill(pid, signum)


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
