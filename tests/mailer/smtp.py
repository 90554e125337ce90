"""A real SMTP server for the tests: aiosmtpd on a loopback port, recording what it accepts."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


def free_port() -> int:
    """A loopback port nothing listens on (right now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


class Recorder:
    """The server's handler. It runs in the server's own thread and event loop."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        # Whether the session of each accepted message had logged in.
        self.authenticated: list[bool] = []
        # Recipient address -> the reply refusing it, e.g. "550 5.1.1 no such user".
        self.refuse: dict[str, str] = {}
        # When set, the next DATA blocks (as a server that hangs) until ``release`` is set.
        self.hold_next = False
        self.held = threading.Event()
        self.release = threading.Event()
        # Set when a message has been accepted.
        self.received = threading.Event()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.hold_next:
            self.hold_next = False
            self.held.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
            return "451 4.3.0 interrupted"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.authenticated.append(bool(session.authenticated))
        self.received.set()
        return "250 Message accepted"

    def message_ids(self) -> list[str]:
        return [str(each["Message-ID"]) for each in self.messages]


class SmtpServer:
    """Start and stop an SMTP server on a fixed port; stopping releases a held DATA.

    With ``login`` (user, password) the server offers AUTH and refuses other credentials
    (requiring AUTH without TLS would make aiosmtpd warn; ``authenticated`` tells instead).
    """

    def __init__(self, port: int | None = None, login: tuple[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.recorder = Recorder()
        self._login = login
        self._controller: Controller | None = None

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        given = (
            (data.login.decode(), data.password.decode())
            if isinstance(data, LoginPassword)
            else None
        )
        return AuthResult(success=given == self._login, handled=False)

    async def start(self) -> None:
        auth: dict[str, Any] = (
            {}
            if self._login is None
            else {
                "authenticator": self._authenticate,
                "auth_require_tls": False,
            }
        )
        controller = Controller(self.recorder, hostname=HOST, port=self.port, **auth)
        await asyncio.to_thread(controller.start)
        self._controller = controller

    async def stop(self) -> None:
        self.recorder.release.set()
        controller, self._controller = self._controller, None
        if controller is not None:
            await asyncio.to_thread(controller.stop)
