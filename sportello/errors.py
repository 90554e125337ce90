"""Errors that end a command with one line of explanation and exit status 2."""

from __future__ import annotations


class StartupError(Exception):
    """Something the operator must fix before Sportello can run; the message says what."""
