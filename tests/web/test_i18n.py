"""Every text of the web client exists in Italian, Spanish and English (no browser needed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web.conftest import LANGUAGES, Portal, catalogue

WEB = Path(__file__).resolve().parents[2] / "web"
# t("page.key") and t("page.key", {...}) with a literal key; keys built at run time
# (t(`enum.urgency.${value}`)) are checked by the pages' browser tests.
USED = re.compile(r"""\bt\(\s*["']([A-Za-z0-9_.]+)["']""")


def used_keys() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(WEB.rglob("*.js")):
        if path.parent.name == "i18n":
            continue
        for key in USED.findall(path.read_text(encoding="utf-8")):
            found.setdefault(key, set()).add(str(path.relative_to(WEB)))
    return found


def test_the_three_catalogues_hold_the_same_keys() -> None:
    keys = {lang: set(catalogue(lang)) for lang in LANGUAGES}
    assert len(keys["en"]) > 100
    for lang in LANGUAGES:
        assert keys[lang] == keys["en"], (
            f"{lang}: missing {sorted(keys['en'] - keys[lang])}, "
            f"extra {sorted(keys[lang] - keys['en'])}"
        )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_the_pages_ask_for_exists(lang: str) -> None:
    texts = catalogue(lang)
    missing = {key: sorted(files) for key, files in used_keys().items() if key not in texts}
    assert not missing, missing
    assert all(value.strip() for value in texts.values())


def test_placeholders_match_across_languages() -> None:
    """A text's {name} placeholders are the same in each language."""
    names = re.compile(r"\{(\w+)\}")
    english = catalogue("en")
    for lang in ("it", "es"):
        for key, value in catalogue(lang).items():
            assert set(names.findall(value)) == set(names.findall(english[key])), (lang, key)


async def test_italian_articles_before_a_day_read_right(portal: Portal) -> None:
    """Italian day articles as the emails write them: "il 8 dic" is "l'8 dic", "Dal 11" is
    "Dall'11", the first is "il 1°"; other days are left alone."""
    page = await portal.open("/?org=brillanti")
    written = await page.evaluate(
        """async () => {
          const { italianArticles } = await import("/static/i18n.js");
          return [
            "Pianificata per il 8 dic 2026", "Dal 11 dic al 8 gen.", "Spostato al 1 dic 2026",
            "prevista il 18 dic", "del 11 novembre",
          ].map(italianArticles);
        }"""
    )
    assert written == [
        "Pianificata per l'8 dic 2026",
        "Dall'11 dic all'8 gen.",
        "Spostato al 1° dic 2026",
        "prevista il 18 dic",
        "dell'11 novembre",
    ]
