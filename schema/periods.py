"""The ``from``/``to`` period arguments of lists: checked once, errors naming the argument."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, TypeVar

import strawberry

from schema.errors import BadUserInput

Moment = TypeVar("Moment", dt.datetime, dt.date)


def check_period(
    since: Moment | None, until: Moment | None, *, max_days: int | None = None
) -> None:
    """Refuse times without a UTC offset, a period ending before it starts, or (with
    ``max_days``) one longer than that; the error names ``from`` or ``to``."""
    for name, value in (("from", since), ("to", until)):
        if isinstance(value, dt.datetime) and value.utcoffset() is None:
            raise BadUserInput(name, "give a UTC offset, e.g. 2026-11-23T08:00:00+01:00")
    if since is None or until is None:
        return
    if until < since:
        raise BadUserInput("to", "must not be before from")
    if max_days is not None and until - since > dt.timedelta(days=max_days):
        raise BadUserInput("to", f"the period may span at most {max_days} days")


# Period arguments (``from`` is a Python keyword): a start and an end time, each optional.
Since = Annotated[
    dt.datetime | None, strawberry.argument(name="from", description="At or after this time.")
]
Until = Annotated[
    dt.datetime | None, strawberry.argument(name="to", description="Before this time.")
]
