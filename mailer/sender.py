"""Deliver one message: by SMTP (aiosmtplib) or, without an SMTP host, as an .eml file.

The Message-ID comes from the outbox row id, so a message retried after a crash carries the
same id and a mail client can spot the duplicate. Failures are raised as ``DeliveryError``:
temporary ones (no connection, timeouts, 4xx replies, refused login) are retried; permanent
ones (a 5xx reply refusing the recipient or the content) are not. Error reasons are short and
never contain the SMTP password.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib

from db.storage import store_for
from sportello.base.settings import Settings

_REASON_LIMIT = 300


class DeliveryError(Exception):
    """A message could not be delivered; ``permanent`` says whether retrying can help."""

    permanent = False

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:_REASON_LIMIT]


class TemporaryDeliveryError(DeliveryError):
    """Worth retrying later: the server is away, busy or said 4xx."""


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help: the server refused the recipient or the message (5xx)."""

    permanent = True


@dataclasses.dataclass(frozen=True)
class Attachment:
    file_name: str
    mime_type: str
    content: bytes


@dataclasses.dataclass(frozen=True)
class Outgoing:
    """What the worker hands over: one outbox row and its attachments."""

    id: uuid.UUID
    to_address: str
    locale: str
    subject: str
    body_text: str
    body_html: str | None
    attachments: tuple[Attachment, ...] = ()


def message_id(row_id: uuid.UUID, mail_from: str) -> str:
    """``<row id@sender domain>``: the same for every attempt at one outbox row."""
    _, address = email.utils.parseaddr(mail_from)
    domain = address.rpartition("@")[2] or "sportello.localhost"
    return f"<{row_id}@{domain}>"


def build_email(outgoing: Outgoing, settings: Settings) -> EmailMessage:
    """The RFC 5322 message: text, HTML alternative, attachments."""
    message = EmailMessage()
    try:
        message["From"] = settings.mail_from
        message["To"] = outgoing.to_address
        message["Subject"] = outgoing.subject
        message["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = message_id(outgoing.id, settings.mail_from)
        message["Content-Language"] = outgoing.locale
        message["Auto-Submitted"] = "auto-generated"
    except ValueError as error:
        raise PermanentDeliveryError(f"invalid header: {error}") from None
    message.set_content(outgoing.body_text)
    if outgoing.body_html is not None:
        message.add_alternative(outgoing.body_html, subtype="html")
    for attachment in outgoing.attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        message.add_attachment(
            attachment.content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.file_name,
        )
    return message


async def read_attachment(
    settings: Settings, storage_key: str, file_name: str, mime_type: str
) -> Attachment:
    """A stored document's bytes; a missing file is temporary (it may still be written)."""
    try:
        content = await store_for(settings).read(storage_key)
    except Exception as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise TemporaryDeliveryError(f"attachment {file_name!r}: {reason}") from None
    if content is None:
        raise TemporaryDeliveryError(f"attachment {file_name!r} is not in storage yet")
    return Attachment(file_name=file_name, mime_type=mime_type, content=content)


class Transport(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand the message over or raise ``DeliveryError``."""

    async def close(self) -> None:
        """Say goodbye politely after a batch."""

    def abort(self) -> None:
        """Drop any connection at once (the worker is being stopped mid-send)."""


class SmtpTransport:
    """One SMTP connection reused across a batch, opened on first use, dropped on error."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: aiosmtplib.SMTP | None = None

    def _reason(self, error: BaseException) -> str:
        text = f"{type(error).__name__}: {error}"
        password = self._settings.smtp_password
        return text.replace(password, "***") if password else text

    async def _connect(self) -> aiosmtplib.SMTP:
        settings = self._settings
        client = aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            use_tls=settings.smtp_security == "tls",
            start_tls=settings.smtp_security == "starttls",
            timeout=settings.smtp_timeout_seconds,
        )
        await client.connect()
        return client

    async def send(self, message: EmailMessage) -> None:
        """Send over the open connection (opening it first if needed)."""
        try:
            if self._client is None:
                self._client = await self._connect()
            await self._client.send_message(message)
        except aiosmtplib.SMTPRecipientsRefused as error:
            self.abort()
            codes = [refused.code for refused in error.recipients]
            reason = "; ".join(f"{r.code} {r.message}" for r in error.recipients)
            if codes and all(code >= 500 for code in codes):
                raise PermanentDeliveryError(f"recipient refused: {reason}") from None
            raise TemporaryDeliveryError(f"recipient deferred: {reason}") from None
        except (aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPDataError) as error:
            self.abort()
            kind = PermanentDeliveryError if error.code >= 500 else TemporaryDeliveryError
            raise kind(f"{error.code} {error.message}") from None
        except (aiosmtplib.SMTPException, OSError) as error:
            # Connection trouble, timeouts, 4xx/5xx on login or sender: a setup or server
            # problem, not this message's; retrying may succeed once it is fixed.
            self.abort()
            raise TemporaryDeliveryError(self._reason(error)) from None

    async def close(self) -> None:
        """QUIT after a batch; a server that does not answer is simply dropped."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError):
            client.close()

    def abort(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()


class EmlTransport:
    """Development delivery: one ``<outbox id>.eml`` file per message in the mail folder."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def _write(self, name: str, data: bytes) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        partial = self._folder / f".{name}.partial"
        partial.write_bytes(data)
        # A retried message replaces its own file, never adds a second one.
        partial.replace(self._folder / name)

    async def send(self, message: EmailMessage) -> None:
        """Write the message; a file a person can open in a mail client."""
        name = f"{str(message['Message-ID']).strip('<>').partition('@')[0]}.eml"
        try:
            await asyncio.to_thread(self._write, name, bytes(message))
        except OSError as error:
            raise TemporaryDeliveryError(f"cannot write {name}: {error.strerror}") from None

    async def close(self) -> None:
        """Nothing to close."""

    def abort(self) -> None:
        """Nothing to drop."""


def transport_for(settings: Settings) -> Transport:
    """SMTP when a host is configured, else .eml files under ``settings.mail_dir``."""
    if settings.smtp_host:
        return SmtpTransport(settings)
    return EmlTransport(settings.mail_dir)
