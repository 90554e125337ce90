"""The wording of every message in each supported language, and which language to use.

One module per language holds ``STRINGS`` (message texts and labels, ``str.format`` templates),
``MONTHS`` and ``WEEKDAYS``, and where its grammar needs them ``DAYS`` (how a day of the month
is written when not as a number, e.g. Italian ``1°``), ``ARTICLES`` (a date after an article
or a preposition, ``{date:del}``: the form before a consonant and the elided one) and
``ELIDING_DAYS`` (the days that take the elided form, Italian ``l'8``, ``dell'11``). The texts
are trusted; the values put into them are not, and the renderer escapes them for HTML.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import ModuleType

from mailer.templates import en, es, it

FALLBACK = "en"


@dataclasses.dataclass(frozen=True)
class Wording:
    """Everything one language needs: texts by key, month and weekday names, date grammar."""

    locale: str
    strings: Mapping[str, str]
    months: tuple[str, ...]
    weekdays: tuple[str, ...]
    days: Mapping[int, str] = dataclasses.field(default_factory=dict)
    articles: Mapping[str, tuple[str, str]] = dataclasses.field(default_factory=dict)
    eliding_days: frozenset[int] = frozenset()


def _wording(locale: str, module: ModuleType) -> Wording:
    return Wording(
        locale,
        module.STRINGS,
        module.MONTHS,
        module.WEEKDAYS,
        getattr(module, "DAYS", {}),
        getattr(module, "ARTICLES", {}),
        getattr(module, "ELIDING_DAYS", frozenset()),
    )


WORDINGS: Mapping[str, Wording] = {
    "it": _wording("it", it),
    "es": _wording("es", es),
    "en": _wording("en", en),
}


def supported(locale: str | None) -> str | None:
    """The supported language of a locale such as ``it``, ``es-ES`` or ``en_GB``; else None."""
    if not locale:
        return None
    language = locale.replace("_", "-").split("-", 1)[0].strip().lower()
    return language if language in WORDINGS else None


def resolve_locale(recipient: str | None, organization: str | None) -> str:
    """The recipient's language if supported, else the organization's, else English."""
    return supported(recipient) or supported(organization) or FALLBACK


def wording(locale: str) -> Wording:
    """The wording of a supported language (English for anything else)."""
    return WORDINGS.get(supported(locale) or FALLBACK, WORDINGS[FALLBACK])
