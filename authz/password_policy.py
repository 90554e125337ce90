"""What a new password must be: 10 to 256 characters and not a well-known one.

The bundled list (authz/common_passwords.txt) holds common passwords of 10 characters or more,
including Italian and Spanish ones; shorter ones are refused by length already. Comparison
ignores case. A password made of one repeated character is refused too.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

MIN_LENGTH = 10
MAX_LENGTH = 256


@cache
def common_passwords() -> frozenset[str]:
    text = files("authz").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be used, or None when it can."""
    if len(password) < MIN_LENGTH:
        return f"use at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"use at most {MAX_LENGTH} characters"
    if len(set(password)) == 1 or password.lower() in common_passwords():
        return "this password is too common; choose another"
    return None
