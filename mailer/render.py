"""Turn a message's content into a plain-text and an HTML body; dates in the reader's language.

A message is built from phrases (a text key plus values), detail rows (label key, value) and an
optional button. The texts come from mailer/templates and are trusted; every value is escaped
with ``html.escape`` before it reaches the HTML, so a name like ``<script>`` shows as text.

A date value (:class:`DateText`) follows the grammar of the text around it: ``{date}`` writes
it plainly, ``{date:del}`` after the article or preposition the language names, elided where
the day asks for it (Italian "del 6 dicembre" but "dell'8 dicembre").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from collections.abc import Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mailer.templates import Wording


@dataclasses.dataclass(frozen=True)
class DateText:
    """A date as a phrase's value; the placeholder's format spec picks the article form."""

    day: dt.date
    words: Wording
    # Escape for HTML (an article such as "l'" holds a quote).
    html: bool = False

    def __format__(self, form: str) -> str:
        text = format_date(self.day, self.words, form)
        return html.escape(text) if self.html else text


@dataclasses.dataclass(frozen=True)
class Phrase:
    """A text of the wording (by key) and the values of its placeholders."""

    key: str
    values: Mapping[str, str | DateText] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Content:
    """What a message says, independent of its format."""

    subject: Phrase
    greeting: Phrase
    paragraphs: tuple[Phrase, ...]
    details: tuple[tuple[str, str], ...] = ()
    # (label key, URL) of the one link the message carries, if any.
    action: tuple[str, str] | None = None
    after: tuple[Phrase, ...] = ()


@dataclasses.dataclass(frozen=True)
class Look:
    """The sender's identity shown in the message: display name and logo."""

    organization: str
    logo_url: str | None


def zone(name: str) -> dt.tzinfo:
    """The organization's time zone; UTC for a name the system does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def format_date(day: dt.date, words: Wording, form: str = "") -> str:
    """``14 maggio 2025``, ``14 de mayo de 2025``, ``14 May 2025``; with an article ``form``
    of the language, ``il 14 maggio 2025``, ``l'8 maggio 2025``, ``dell'11 maggio 2025``."""
    text = words.strings["format.date"].format(
        day=words.days.get(day.day, day.day), month=words.months[day.month - 1], year=day.year
    )
    if not form:
        return text
    plain, elided = words.articles[form]
    return (elided if day.day in words.eliding_days else plain) + text


def format_datetime(moment: dt.datetime, tz: dt.tzinfo, words: Wording) -> str:
    """The local date and time with the weekday, e.g. ``martedì 14 maggio 2025, ore 09:30``."""
    local = moment.astimezone(tz)
    return words.strings["format.datetime"].format(
        weekday=words.weekdays[local.weekday()],
        date=format_date(local.date(), words),
        time=local.strftime("%H:%M"),
    )


def safe_http_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) URL, else None (no ``javascript:`` logos)."""
    if not url:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in {"http", "https"} and parts.netloc else None


def _say(phrase: Phrase, words: Wording) -> str:
    return words.strings[phrase.key].format_map(dict(phrase.values))


def _say_html(phrase: Phrase, words: Wording) -> str:
    escaped = {
        name: html.escape(value)
        if isinstance(value, str)
        else dataclasses.replace(value, html=True)
        for name, value in phrase.values.items()
    }
    return html.escape(words.strings[phrase.key]).format_map(escaped)


def subject(content: Content, words: Wording) -> str:
    """The subject on one line: values cannot add header lines."""
    return " ".join(_say(content.subject, words).split())


def text_body(content: Content, look: Look, words: Wording) -> str:
    """The plain-text body."""
    blocks = [_say(content.greeting, words)]
    blocks += [_say(p, words) for p in content.paragraphs]
    if content.details:
        blocks.append(
            "\n".join(f"{words.strings[label]}: {value}" for label, value in content.details)
        )
    if content.action is not None:
        label, url = content.action
        blocks.append(f"{words.strings[label]}:\n{url}")
    blocks += [_say(p, words) for p in content.after]
    blocks.append(f"{words.strings['closing']}\n{look.organization}")
    footer = _say(Phrase("footer", {"org": look.organization}), words)
    return "\n\n".join(blocks) + f"\n\n-- \n{footer}\n"


_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title}</title></head>
<body style="margin:0;padding:0;background:#f3f4f6;font-family:Arial,Helvetica,sans-serif;\
color:#1f2933">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr>
<td align="center" style="padding:24px 12px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" \
style="max-width:600px;width:100%;background:#ffffff;border-radius:6px">
<tr><td style="padding:20px 32px;border-bottom:1px solid #e5e7eb">{header}</td></tr>
<tr><td style="padding:24px 32px;font-size:15px;line-height:1.5">
{main}
</td></tr>
<tr><td style="padding:16px 32px;font-size:12px;color:#6b7280;border-top:1px solid #e5e7eb">\
{footer}</td></tr>
</table></td></tr></table>
</body>
</html>
"""


def _html_value(value: str) -> str:
    return html.escape(value).replace("\n", "<br>")


def html_body(content: Content, look: Look, words: Wording) -> str:
    """The HTML body: the same content, every value escaped."""
    name = html.escape(look.organization)
    logo = safe_http_url(look.logo_url)
    header = (
        f'<img src="{html.escape(logo)}" alt="{name}" height="48" style="display:block">'
        if logo
        else f'<strong style="font-size:18px">{name}</strong>'
    )
    main = [f"<p>{_say_html(content.greeting, words)}</p>"]
    main += [f"<p>{_say_html(p, words)}</p>" for p in content.paragraphs]
    if content.details:
        rows = "".join(
            f'<tr><th align="left" style="padding:4px 16px 4px 0;color:#52606d;'
            f'font-weight:normal;vertical-align:top">{html.escape(words.strings[label])}</th>'
            f'<td style="padding:4px 0">{_html_value(value)}</td></tr>'
            for label, value in content.details
        )
        main.append(f'<table role="presentation" style="margin:8px 0 16px">{rows}</table>')
    if content.action is not None:
        label, url = content.action
        href = html.escape(url, quote=True)
        main.append(
            f'<p><a href="{href}" style="display:inline-block;padding:10px 20px;'
            f'background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:4px">'
            f"{html.escape(words.strings[label])}</a></p>"
            f'<p style="font-size:13px;color:#52606d">{html.escape(words.strings["link_hint"])}'
            f"<br>{html.escape(url)}</p>"
        )
    main += [f"<p>{_say_html(p, words)}</p>" for p in content.after]
    main.append(f"<p>{html.escape(words.strings['closing'])}<br>{name}</p>")
    return _PAGE.format(
        lang=words.locale,
        title=html.escape(subject(content, words)),
        header=header,
        main="\n".join(main),
        footer=_say_html(Phrase("footer", {"org": look.organization}), words),
    )
