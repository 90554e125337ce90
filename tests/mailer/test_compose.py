"""Messages read in the recipient's language, show the organization, and never run its input."""

from __future__ import annotations

import datetime as dt
import string

import pytest

from mailer import compose
from mailer.templates import WORDINGS, resolve_locale

BRAND = compose.Brand(
    name="Brillanti Servizi",
    logo_url="https://brillanti.example/logo.png",
    locale="it",
    timezone="Europe/Rome",
)
# 07:30 UTC is 09:30 in Rome (summer time).
VISIT_START = dt.datetime(2026, 5, 12, 7, 30, tzinfo=dt.UTC)
EXPIRES = dt.datetime(2026, 5, 15, 10, 0, tzinfo=dt.UTC)

SAMPLES: list[compose.MessageData] = [
    compose.VisitReminder("Anna", "Manutenzione", "Sede Nord", "Via Roma 1", VISIT_START),
    compose.SignedWorksheet(
        "Anna", "FI-12", dt.date(2026, 5, 12), "Sede Nord", "Mario Rossi", "Filtri", True
    ),
    compose.ContractExpiry(
        "Acme", "C-1", "Antincendio", None, dt.date(2026, 6, 1), dt.date(2026, 5, 2)
    ),
    compose.Invitation("Anna", "https://portal.example", "tok-123", EXPIRES, "brillanti"),
    compose.PasswordReset("Anna", "https://portal.example", "tok-456", EXPIRES, "brillanti"),
    compose.BookingConfirmation(
        "Anna", "Manutenzione", "Sede Nord", "Via Roma 1", VISIT_START, "Luca R."
    ),
    compose.AppointmentCancelled("Anna", "Manutenzione", "Sede Nord", "Via Roma 1", VISIT_START),
    compose.AppointmentMoved(
        "Anna", "Manutenzione", "Sede Nord", "Via Roma 1", EXPIRES, VISIT_START, "Luca R."
    ),
    compose.NewTicket(
        "42",
        "Acme",
        "Sede Nord",
        "Assistenza",
        "HIGH",
        "Anna",
        "+39 02 1",
        "Perdita",
        EXPIRES,
        "Anna",
    ),
]


@pytest.mark.parametrize(
    ("recipient", "organization", "expected"),
    [
        ("es", "it", "recordatorio"),
        (None, "it", "promemoria"),
        ("it-IT", "en", "promemoria"),
        ("en_GB", "es", "reminder"),
        ("de", "es", "recordatorio"),
        ("de", "fr", "reminder"),
    ],
)
def test_the_subject_is_in_the_recipients_language_then_the_organizations_then_english(
    recipient: str | None, organization: str, expected: str
) -> None:
    brand = compose.Brand(BRAND.name, None, organization, BRAND.timezone)
    message = compose.compose(SAMPLES[0], brand, recipient)
    assert expected in message.subject.lower()
    assert message.locale == resolve_locale(recipient, organization)


def test_every_language_words_every_text_with_the_same_placeholders() -> None:
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    english = WORDINGS["en"].strings
    for locale, words in WORDINGS.items():
        assert words.strings.keys() == english.keys(), locale
        for key, text in words.strings.items():
            assert fields(text) == fields(english[key]), (locale, key)
        assert len(words.months) == 12
        assert len(words.weekdays) == 7


@pytest.mark.parametrize("locale", ["it", "es", "en"])
@pytest.mark.parametrize("data", SAMPLES, ids=lambda data: data.kind)
def test_every_kind_composes_in_every_language(locale: str, data: compose.MessageData) -> None:
    message = compose.compose(data, BRAND, locale)
    assert message.kind == data.kind
    assert message.locale == locale
    assert "\n" not in message.subject
    assert "Brillanti Servizi" in message.text
    assert f'<html lang="{locale}">' in message.html
    assert 'src="https://brillanti.example/logo.png"' in message.html


def test_dates_show_in_the_organizations_time_zone_and_language() -> None:
    italian = compose.compose(SAMPLES[0], BRAND, "it")
    assert "martedì 12 maggio 2026, ore 09:30" in italian.text
    spanish = compose.compose(SAMPLES[0], BRAND, "es")
    assert "martes, 12 de mayo de 2026, a las 09:30" in spanish.text


def test_user_supplied_text_is_escaped_in_html_and_kept_in_text() -> None:
    attack = "<script>alert('x')</script>"
    ticket = compose.NewTicket(
        "7",
        attack,
        "Sede & Co",
        "Assistenza",
        "LOW",
        attack,
        "1",
        f"line 1\n{attack}",
        EXPIRES,
        attack,
    )
    reminder = compose.VisitReminder(attack, attack, attack, attack, VISIT_START)
    for data in (ticket, reminder):
        message = compose.compose(data, BRAND, "en")
        assert "<script>" not in message.html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in message.html
        assert attack in message.text
    assert "Sede &amp; Co" in compose.compose(ticket, BRAND, "en").html


def test_the_organizations_name_is_escaped_and_an_unsafe_logo_is_left_out() -> None:
    brand = compose.Brand("<b>Evil</b>", "javascript:alert(1)", "en", "UTC")
    message = compose.compose(SAMPLES[0], brand, None)
    assert "javascript:" not in message.html
    assert "<img" not in message.html
    assert "&lt;b&gt;Evil&lt;/b&gt;" in message.html


def test_invitation_and_reset_links_are_built_from_the_base_url_and_the_token() -> None:
    """The page knows the organization (for its branding) from the query; the token stays in
    the fragment."""
    invitation = compose.compose(SAMPLES[3], BRAND, "en")
    assert "https://portal.example/invitation?org=brillanti#token=tok-123" in invitation.text
    assert 'href="https://portal.example/invitation?org=brillanti#token=tok-123"' in (
        invitation.html
    )
    reset = compose.compose(SAMPLES[4], BRAND, "it")
    assert "https://portal.example/reset-password?org=brillanti#token=tok-456" in reset.text


@pytest.mark.parametrize(
    "base_url", ["javascript:alert(1)", "//evil.example", "https://x.example/?next=", ""]
)
def test_a_link_base_that_is_not_a_plain_http_url_is_refused(base_url: str) -> None:
    with pytest.raises(compose.UnsafeLinkError):
        compose.compose(
            compose.Invitation("Anna", base_url, "tok", EXPIRES, "brillanti"), BRAND, "en"
        )


def test_a_token_cannot_break_out_of_the_link() -> None:
    data = compose.Invitation(
        "Anna", "https://portal.example", 'a"><script>&b=c', EXPIRES, "x#y&z=<i>"
    )
    message = compose.compose(data, BRAND, "en")
    assert "?org=x%23y%26z%3D%3Ci%3E#token=a%22%3E%3Cscript%3E%26b%3Dc" in message.text
    assert "<script>" not in message.html
    assert "<i>" not in message.html
