"""Fields reading parts of one statement (schema/kit/batched.py ``related(..., part=)``): the
loads of one level asking for the same ids share one call, its failure reaches each of them,
and nothing is kept for a later level."""

from __future__ import annotations

import asyncio
import gc
import uuid
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, cast

import pytest

from schema.kit.batched import Related
from schema.kit.context import Context
from schema.kit.together import run_together

SITES = [uuid.uuid4(), uuid.uuid4()]


def context() -> Context:
    """What a load reads of the request's context: its connection, scope and running
    statements (the rest of a request is not needed here)."""
    return cast(Context, SimpleNamespace(db=None, rows=SimpleNamespace(scope=None), fetching={}))


class Around:
    """A statement by site id giving (last, next) per site, counting its calls."""

    def __init__(self, fails: bool = False) -> None:
        self.calls = 0
        self.fails = fails

    async def __call__(self, db: Any, scope: Any, ids: Sequence[uuid.UUID]) -> list[Any]:
        self.calls += 1
        await asyncio.sleep(0)  # waits for the database, as a statement does
        if self.fails:
            raise RuntimeError("statement failed")
        return [(f"last of {i}", f"next of {i}") for i in ids]


def parts(fetch: Around) -> tuple[Related[Any, str], Related[Any, str]]:
    def key(site: uuid.UUID) -> uuid.UUID:
        return site

    return Related(fetch, key, str, part=0), Related(fetch, key, str, part=1)


async def test_the_loads_of_one_level_share_one_call() -> None:
    fetch, asked = Around(), context()
    last, following = parts(fetch)
    outcomes = await run_together(
        [last.load(asked, SITES, {}, False), following.load(asked, SITES, {}, False)]
    )
    assert [outcome.value for outcome in outcomes] == [
        [f"last of {site}" for site in SITES],
        [f"next of {site}" for site in SITES],
    ]
    assert fetch.calls == 1
    assert asked.fetching == {}  # nothing kept for a later level
    await last.load(asked, SITES, {}, False)
    assert fetch.calls == 2


async def test_a_failed_call_fails_every_load_sharing_it(caplog: pytest.LogCaptureFixture) -> None:
    fetch, asked = Around(fails=True), context()
    last, following = parts(fetch)
    outcomes = await run_together(
        [last.load(asked, SITES, {}, False), following.load(asked, SITES, {}, False)]
    )
    assert [str(outcome.error) for outcome in outcomes] == ["statement failed"] * 2
    assert fetch.calls == 1
    with pytest.raises(RuntimeError, match="statement failed"):
        await last.load(asked, SITES, {}, False)  # alone: its error read by no one else
    gc.collect()
    assert asked.fetching == {}
    assert "never retrieved" not in caplog.text
