"""Typed settings read once from the environment.

Every knob of the service lives here, with its default; nothing else reads ``os.environ``.
Variables are ``DATABASE_URL`` and ``SPORTELLO_<FIELD NAME IN UPPER CASE>``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_type_hints


class SettingsError(ValueError):
    """A setting has a value the service cannot use; the message names the variable."""


@dataclasses.dataclass(frozen=True)
class Settings:
    # Database: without a URL the embedded PostgreSQL under data_dir is used.
    database_url: str | None = None
    data_dir: Path = Path(".sportello")
    db_pool_size: int = 10
    statement_timeout_ms: int = 5000

    # HTTP
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    development: bool = False

    @property
    def embedded_data_dir(self) -> Path:
        """Where the embedded PostgreSQL cluster keeps its files."""
        return self.data_dir / "pgdata"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read settings from ``environ`` (the process environment by default)."""
        env = os.environ if environ is None else environ
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            name = "DATABASE_URL" if field.name == "database_url" else f"SPORTELLO_{field.name.upper()}"
            raw = env.get(name)
            if raw is None or raw == "":
                continue
            values[field.name] = _parse(name, raw, hints[field.name])
        values.update(overrides)
        return cls(**values)


def _parse(name: str, raw: str, kind: Any) -> Any:
    text = str(kind)
    try:
        if kind is bool or text == "bool":
            lowered = raw.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if kind is int or text == "int":
            return int(raw)
        if kind is float or text == "float":
            return float(raw)
        if kind is Path or text == "Path":
            return Path(raw)
    except ValueError:
        raise SettingsError(
            f"{name}={raw!r} is not a valid {getattr(kind, '__name__', text)}; "
            f"fix or unset the variable"
        ) from None
    return raw
