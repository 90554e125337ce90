"""Write the SDL of every audience view to schema/sdl/<audience>.graphql.

Run ``.venv/bin/python -m sportello.export_sdl`` after changing the schema or the policy table;
tests/schema/test_sdl.py fails while the committed files differ, so every change to what an
audience can see shows up in review.
"""

from __future__ import annotations

from pathlib import Path

from schema.kit.views import sdl
from sportello.assembly import views

SDL_DIR = Path(__file__).resolve().parent.parent / "schema" / "sdl"


def expected() -> dict[Path, str]:
    return {SDL_DIR / f"{audience.value}.graphql": sdl(view) for audience, view in views().items()}


def main() -> None:
    for path, text in expected().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
