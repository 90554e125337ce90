"""Compose each kind of message: subject, text and HTML body, in the reader's language.

Pure functions, no I/O. Each kind has a small input dataclass; ``compose(data, brand,
recipient_locale)`` picks the recipient's language (falling back to the organization's, then
English), formats dates in the organization's time zone and escapes every value in the HTML.
Links are built only from a base URL handed in by the caller (the configured public URL) plus a
fixed page and a token, never from anything a request said about itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import ClassVar
from urllib.parse import quote, urlsplit

from mailer import render
from mailer.render import Content, Phrase
from mailer.templates import Wording, resolve_locale, wording

INVITATION_PAGE = "invitation"
RESET_PAGE = "reset-password"


class UnsafeLinkError(ValueError):
    """A link base is not an absolute http(s) URL; configure SPORTELLO_PUBLIC_URL properly."""


@dataclasses.dataclass(frozen=True)
class Brand:
    """The organization as its messages show it."""

    name: str
    logo_url: str | None
    locale: str
    timezone: str


@dataclasses.dataclass(frozen=True)
class Composed:
    """A message ready for the outbox."""

    kind: str
    locale: str
    subject: str
    text: str
    html: str


@dataclasses.dataclass(frozen=True)
class Visit:
    """What every message about one appointment shows. ``activity`` is the activity type's
    portal title with its substitution codes already filled (mailer/substitution.py)."""

    kind: ClassVar[str]
    first_name: str
    activity: str
    site_name: str
    site_address: str
    starts_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class VisitReminder(Visit):
    kind: ClassVar[str] = "visit_reminder"


@dataclasses.dataclass(frozen=True)
class SignedWorksheet:
    kind: ClassVar[str] = "signed_worksheet"
    first_name: str
    number: str
    work_date: dt.date
    site_name: str
    signed_by: str
    description: str
    has_attachment: bool


@dataclasses.dataclass(frozen=True)
class ContractExpiry:
    """Sent to the organization's notification email."""

    kind: ClassVar[str] = "contract_expiry"
    client_name: str
    number: str
    contract_kind: str
    site_name: str | None
    expires_on: dt.date
    today: dt.date


@dataclasses.dataclass(frozen=True)
class TokenLink:
    """What a message carrying a one-use link shows (see ``link``)."""

    kind: ClassVar[str]
    first_name: str
    base_url: str
    token: str
    expires_at: dt.datetime
    # The organization's slug: the page shows its branding and logs in there.
    organization: str


@dataclasses.dataclass(frozen=True)
class Invitation(TokenLink):
    kind: ClassVar[str] = "invitation"


@dataclasses.dataclass(frozen=True)
class PasswordReset(TokenLink):
    kind: ClassVar[str] = "password_reset"


@dataclasses.dataclass(frozen=True)
class BookingConfirmation(Visit):
    kind: ClassVar[str] = "booking_confirmation"
    technician: str | None = None


@dataclasses.dataclass(frozen=True)
class AppointmentCancelled(Visit):
    """Sent to the contacts who get the visit's reminders."""

    kind: ClassVar[str] = "appointment_cancelled"


@dataclasses.dataclass(frozen=True)
class AppointmentMoved(Visit):
    """Sent to the contacts who get the visit's reminders; ``starts_at`` is the new time."""

    kind: ClassVar[str] = "appointment_moved"
    previous_starts_at: dt.datetime
    technician: str | None = None


@dataclasses.dataclass(frozen=True)
class NewTicket:
    """Sent to the organization's notification email."""

    kind: ClassVar[str] = "new_ticket"
    number: str
    client_name: str
    site_name: str
    department: str
    urgency: str
    reference_person: str
    phone: str
    notes: str
    opened_at: dt.datetime
    opened_by: str
    equipment: str | None = None


MessageData = (
    VisitReminder
    | BookingConfirmation
    | AppointmentCancelled
    | AppointmentMoved
    | SignedWorksheet
    | ContractExpiry
    | Invitation
    | PasswordReset
    | NewTicket
)


def link(base_url: str, page: str, token: str, organization: str) -> str:
    """``<base>/<page>?org=<slug>#token=<token>``: the page knows whose branding to show
    before anything is sent; the token stays in the fragment, out of server logs."""
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise UnsafeLinkError(f"links need an http(s) base URL without query, got {base_url!r}")
    return (
        f"{base_url.rstrip('/')}/{page}?org={quote(organization, safe='')}"
        f"#token={quote(token, safe='')}"
    )


def compose(data: MessageData, brand: Brand, recipient_locale: str | None = None) -> Composed:
    """Subject, text and HTML of ``data`` in the recipient's (or organization's) language."""
    words = wording(resolve_locale(recipient_locale, brand.locale))
    content = _content(data, brand, words, render.zone(brand.timezone))
    look = render.Look(brand.name, brand.logo_url)
    return Composed(
        kind=data.kind,
        locale=words.locale,
        subject=render.subject(content, words),
        text=render.text_body(content, look, words),
        html=render.html_body(content, look, words),
    )


def _content(data: MessageData, brand: Brand, words: Wording, tz: dt.tzinfo) -> Content:
    org = brand.name

    def day(value: dt.date) -> render.DateText:
        return render.DateText(value, words)

    def moment(value: dt.datetime) -> str:
        return render.format_datetime(value, tz, words)

    def greet(name: str) -> Phrase:
        return Phrase("greeting", {"name": name}) if name else Phrase("greeting.staff")

    match data:
        case Visit():
            return _visit(data, org, day(data.starts_at.astimezone(tz).date()), moment, greet)
        case SignedWorksheet():
            values: dict[str, str | render.DateText] = {
                "org": org,
                "number": data.number,
                "date": day(data.work_date),
                "site": data.site_name,
                "signed_by": data.signed_by,
            }
            attached = "attached" if data.has_attachment else "in_portal"
            return Content(
                subject=Phrase("signed_worksheet.subject", values),
                greeting=greet(data.first_name),
                paragraphs=(
                    Phrase("signed_worksheet.body", values),
                    Phrase(f"signed_worksheet.{attached}"),
                ),
                details=(("label.work_done", data.description),) if data.description else (),
            )
        case ContractExpiry():
            values = {
                "number": data.number,
                "client": data.client_name,
                "contract_kind": data.contract_kind,
                "date": day(data.expires_on),
            }
            details = [("label.client", data.client_name)]
            if data.site_name:
                details.append(("label.site", data.site_name))
            details += [
                ("label.contract", f"{data.number} ({data.contract_kind})"),
                ("label.expires_on", render.format_date(data.expires_on, words)),
                ("label.days_left", str(max((data.expires_on - data.today).days, 0))),
            ]
            return Content(
                subject=Phrase("contract_expiry.subject", values),
                greeting=greet(""),
                paragraphs=(Phrase("contract_expiry.body", values),),
                details=tuple(details),
                after=(Phrase("contract_expiry.note"),),
            )
        case Invitation() | PasswordReset():
            page = INVITATION_PAGE if isinstance(data, Invitation) else RESET_PAGE
            values = {"org": org, "expires": moment(data.expires_at)}
            return Content(
                subject=Phrase(f"{data.kind}.subject", values),
                greeting=greet(data.first_name),
                paragraphs=(Phrase(f"{data.kind}.body", values),),
                action=(
                    f"{data.kind}.action",
                    link(data.base_url, page, data.token, data.organization),
                ),
                after=(Phrase(f"{data.kind}.ignore"),),
            )
        case NewTicket():
            urgency = words.strings.get(f"urgency.{data.urgency}", data.urgency)
            values = {
                "number": data.number,
                "client": data.client_name,
                "urgency": urgency,
                "when": moment(data.opened_at),
            }
            details = [
                ("label.client", data.client_name),
                ("label.site", data.site_name),
                ("label.department", data.department),
                ("label.urgency", urgency),
                ("label.reference_person", data.reference_person),
                ("label.phone", data.phone),
            ]
            if data.equipment:
                details.append(("label.equipment", data.equipment))
            details += [("label.opened_by", data.opened_by), ("label.notes", data.notes)]
            return Content(
                subject=Phrase("new_ticket.subject", values),
                greeting=greet(""),
                paragraphs=(Phrase("new_ticket.body", values),),
                details=tuple(details),
            )


# What each message about a visit adds after its details.
_VISIT_NOTES = {
    VisitReminder.kind: "visit_reminder.note",
    AppointmentMoved.kind: "visit_reminder.note",
    AppointmentCancelled.kind: "appointment_cancelled.note",
}


def _visit(
    data: Visit,
    org: str,
    date: render.DateText,
    moment: Callable[[dt.datetime], str],
    greet: Callable[[str], Phrase],
) -> Content:
    values: dict[str, str | render.DateText] = {
        "org": org,
        "date": date,
        "activity": data.activity,
        "site": data.site_name,
        "when": moment(data.starts_at),
    }
    details = [
        ("label.activity", data.activity),
        ("label.site", data.site_name),
        ("label.address", data.site_address),
        ("label.when", moment(data.starts_at)),
    ]
    if isinstance(data, AppointmentMoved):
        values["previous"] = moment(data.previous_starts_at)
        details.append(("label.previously", moment(data.previous_starts_at)))
    if isinstance(data, BookingConfirmation | AppointmentMoved) and data.technician:
        details.append(("label.technician", data.technician))
    note = _VISIT_NOTES.get(data.kind)
    return Content(
        subject=Phrase(f"{data.kind}.subject", values),
        greeting=greet(data.first_name),
        paragraphs=(Phrase(f"{data.kind}.body", values),),
        details=tuple(details),
        after=(Phrase(note),) if note else (),
    )
