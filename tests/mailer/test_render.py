"""What mails say: every substitution code of an activity's portal title is filled, and
dates read right in Italian, Spanish and English."""

from __future__ import annotations

import datetime as dt

import pytest

from mailer import render
from mailer.substitution import SUBSTITUTION_CODES, substitute
from mailer.templates import wording
from tests.mailer.follows import (
    ROME,
)


def test_every_substitution_code_is_filled() -> None:
    every = " ".join("{" + code + "}" for code in SUBSTITUTION_CODES)
    filled = substitute(
        every,
        site_name="Nord",
        site_address="Via Roma 1",
        day=dt.date(2026, 12, 8),
        technician_first_name="Luca",
    )
    assert filled == "Nord Via Roma 1 08/12/2026 Luca"


@pytest.mark.parametrize(
    ("day", "form", "expected"),
    [
        (1, "", "1° dicembre 2026"),
        (1, "il", "il 1° dicembre 2026"),
        (6, "il", "il 6 dicembre 2026"),
        (8, "il", "l'8 dicembre 2026"),
        (11, "il", "l'11 dicembre 2026"),
        (8, "del", "dell'8 dicembre 2026"),
        (11, "del", "dell'11 dicembre 2026"),
        (18, "del", "del 18 dicembre 2026"),
        (8, "dal", "dall'8 dicembre 2026"),
        (12, "al", "al 12 dicembre 2026"),
        (11, "al", "all'11 dicembre 2026"),
    ],
)
def test_italian_dates_take_the_right_article(day: int, form: str, expected: str) -> None:
    assert render.format_date(dt.date(2026, 12, day), wording("it"), form) == expected


def test_a_date_with_its_weekday_takes_no_article_in_italian() -> None:
    sunday = dt.datetime(2026, 12, 6, 9, 30, tzinfo=ROME)
    assert (
        render.format_datetime(sunday, ROME, wording("it")) == "domenica 6 dicembre 2026, ore 09:30"
    )
    first = dt.datetime(2026, 12, 1, 9, 30, tzinfo=ROME)
    assert render.format_datetime(first, ROME, wording("it")).startswith("martedì 1° dicembre")


def test_spanish_and_english_dates_need_no_article_forms() -> None:
    eighth = dt.date(2026, 12, 8)
    assert render.format_date(eighth, wording("es")) == "8 de diciembre de 2026"
    assert render.format_date(dt.date(2026, 12, 1), wording("es")) == "1 de diciembre de 2026"
    assert render.format_date(eighth, wording("en")) == "8 December 2026"
    assert render.format_date(dt.date(2026, 12, 1), wording("en")) == "1 December 2026"
