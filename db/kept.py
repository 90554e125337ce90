"""Statements built once per process, run on the driver.

A statement built once and kept (db/scoped/nested.py keeps one per scope shape, and
db/pagination.py the page wrappers around it) is compiled once too: its SQL, the order of its
parameters with their types' conversions, and its columns with theirs. Each execution then
costs what the driver costs: the values converted and handed to asyncpg, its records turned
into the same :class:`sqlalchemy.Row` objects SQLAlchemy would give (attribute access,
``_mapping``, the same converted values). SQLAlchemy's own per-execution work (an execution
context, parameter processing, result metadata, a greenlet hop) was about 90 microseconds per
statement, a sixth of the portal page's CPU.

What it keeps of SQLAlchemy's behaviour:

- the same connection and transaction: statements run on the request's connection, inside
  the transaction SQLAlchemy began, under the same lock SQLAlchemy's asyncpg adapter takes
  (two DataLoaders may send a statement at once). The adapter sends BEGIN with the first
  statement of a transaction begun with ``begin()``; when that statement is a kept one, it
  is sent here the same way (the adapter's own ``_start_transaction``, under its lock). A
  connection in autocommit (db/engine.py ``StandingConnections`` and ``committed_alone``: the
  per-minute budgets' upserts) runs the statement alone, as the adapter would. A connection
  outside any transaction and not in autocommit (SQLAlchemy begins one itself on its first
  statement) goes through SQLAlchemy;
- rows: what callers read of a :class:`sqlalchemy.Row` (a column by attribute or position,
  ``_mapping`` by name, equality with a tuple), from a named tuple made per statement: its
  attributes are read in about 20 ns where a Row's take about 270, and a timesheet page reads
  some 3,500 of them. A statement whose column names a named tuple cannot take (a leading
  underscore, a keyword, the same name twice) gets SQLAlchemy's Row;
- parameters: as ``construct_params`` merges them, each parameter is the execution's value
  (by the parameter's key, or its compiled name), else the statement's own value (or its
  callable's); a missing required one is refused (a statement kept per scope shape cannot
  run without the request's scope); then each type's bind conversion. The lookup is planned
  once per statement, not merged into a new dictionary per execution;
- results: each column's result conversion, chosen from the column's type and the database's
  type as SQLAlchemy chooses it;
- events: ``before_cursor_execute`` and, once it ran, ``after_cursor_execute`` listeners see
  every statement (tests count statements with one; metrics and traces use both), and driver
  errors are raised as :class:`sqlalchemy.exc.DBAPIError`, without parameters.

Statements sent together (:func:`together`): within the block, the kept SELECTs asked on
one connection in the same round of the event loop (the loads of one level of a read plan,
schema/kit/reading.py), when there are at least ``TOGETHER_FROM``, are sent as one statement,
each as an array of its rows:
``SELECT ARRAY(SELECT q FROM (<first>) AS q), ARRAY(SELECT q FROM (<second>) AS q), ...``.
The database plans and runs them in one round trip, asyncpg decodes each row as a record of
the same types, and each caller gets the rows it would have got alone (a subquery's ORDER BY
keeps its order through the scan around it). The portal page's seven statements of its second
level cost about a third of the client's and half of the server's CPU sent as one (measured
2026-12-07 with asyncpg alone). A statement whose columns are not planned yet is prepared
first (no execution: the count of statements does not depend on what ran before). If the
statement sent together fails, each of its callers gets the error, as a transaction fails
after its first failed statement anyway.

A kept statement is a SELECT, or an INSERT, UPDATE or DELETE with RETURNING (its rows are
the returned ones). Statements SQLAlchemy would expand per execution (``IN`` lists, literal
parameters), or for which it would make a column's default in Python, are not kept. The
adapter's lock, transaction and transaction start are private attributes of SQLAlchemy's
asyncpg dialect: when a version lacks them, every statement goes through SQLAlchemy again
(:func:`direct_available` says which; a test asserts the short path is taken).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import keyword
import re
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

import asyncpg  # type: ignore[import-untyped]
import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.result import result_tuple
from sqlalchemy.exc import DBAPIError, InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None
# What a kept statement may be: one that returns rows.
Returning = sa.Select[Any] | sa.Insert | sa.Update | sa.Delete
Kept = TypeVar("Kept", sa.Select[Any], sa.Insert, sa.Update, sa.Delete)


def _mapping(row: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(row._fields, row, strict=True))  # type: ignore[attr-defined]


def row_maker(names: Sequence[str]) -> Callable[[Iterable[Any]], Any]:
    """Rows with columns ``names`` from their values: a named tuple with ``_mapping`` (see
    the module), or SQLAlchemy's Row for names a named tuple cannot take."""
    if any(n.startswith("_") or keyword.iskeyword(n) or not n.isidentifier() for n in names) or (
        len(set(names)) != len(names)
    ):
        return result_tuple(list(names))
    fields = collections.namedtuple("KeptRow", names)  # type: ignore[misc]
    kind = type("KeptRow", (fields,), {"__slots__": (), "_mapping": property(_mapping)})
    make = tuple.__new__
    return lambda values: make(kind, values)


class _Argument(NamedTuple):
    """One positional parameter of a kept statement: where its value comes from."""

    name: str  # compiled
    key: str
    required: bool
    make: Callable[[], Any] | None
    own: Any
    convert: Processor


class _Plan:
    """One kept statement compiled for the asyncpg dialect; columns planned on first run."""

    def __init__(self, statement: Returning, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.compiled = compiled
        self.sql = compiled.string
        self.dialect = dialect
        binds = {name: bind for bind, name in compiled.bind_names.items()}
        self.arguments: tuple[_Argument, ...] = tuple(
            _Argument(
                name,
                binds[name].key,
                binds[name].required,
                binds[name].callable,
                binds[name].value,
                binds[name].type.dialect_impl(dialect).bind_processor(dialect),
            )
            for name in compiled.positiontup or ()
        )
        self.selects = not (compiled.isinsert or compiled.isupdate or compiled.isdelete)
        self.column_types = [column.type for column in statement.exported_columns]
        self.make_row: Callable[[Iterable[Any]], Any] | None = None
        self.converted: tuple[tuple[int, Callable[[Any], Any]], ...] = ()

    async def prepared(self, driver: asyncpg.Connection) -> Any:
        """The statement prepared on ``driver``, its columns planned from it. Unnamed: nothing
        stays on the server connection, which a pooler in transaction mode may give another
        client next (db/engine.py)."""
        prepared = await driver.prepare(self.sql, name="")
        self.plan_columns(prepared.get_attributes())
        return prepared

    def plan_columns(self, attributes: Sequence[Any]) -> None:
        """Row factory and conversions from the prepared statement's columns."""
        if len(attributes) != len(self.column_types):
            raise RuntimeError(f"kept statement returns {len(attributes)} columns: {self.sql}")
        results = (
            kind.dialect_impl(self.dialect).result_processor(self.dialect, attribute.type.oid)
            for kind, attribute in zip(self.column_types, attributes, strict=True)
        )
        # Most columns pass through; only those with a conversion (enums) are touched.
        self.converted = tuple((i, c) for i, c in enumerate(results) if c is not None)
        self.make_row = row_maker([attribute.name for attribute in attributes])

    def values(self, parameters: Mapping[str, Any]) -> list[Any]:
        values = []
        for name, key, required, make, own, convert in self.arguments:
            if key in parameters:
                value = parameters[key]
            elif name in parameters:
                value = parameters[name]
            elif required:
                raise InvalidRequestError(f"A value is required for bind parameter {key!r}")
            else:
                value = own if make is None else make()
            values.append(value if convert is None else convert(value))
        return values

    def rows(self, records: Sequence[asyncpg.Record]) -> list[Any]:
        make_row = self.make_row
        assert make_row is not None
        if not self.converted:
            return [make_row(record) for record in records]
        rows = []
        for record in records:
            values = list(record)
            for i, convert in self.converted:
                values[i] = convert(values[i])
            rows.append(make_row(values))
        return rows


# Kept statements (held weakly: the page wrappers of a statement go with it) and their plans,
# made on first execution.
_KEPT: weakref.WeakKeyDictionary[Returning, _Plan | None] = weakref.WeakKeyDictionary()


def keep(statement: Kept) -> Kept:
    """Mark ``statement`` as built once and run many times: :func:`execute` compiles it once."""
    if statement not in _KEPT:
        _KEPT[statement] = None
    return statement


def is_kept(statement: Returning) -> bool:
    return statement in _KEPT


def _adapted(db: AsyncConnection) -> Any:
    """SQLAlchemy's adapter of the asyncpg connection (None before the connection opened)."""
    return db.sync_connection.connection.dbapi_connection if db.sync_connection else None


def _has_short_path(adapted: Any) -> bool:
    return all(
        hasattr(adapted, name) for name in ("_execute_mutex", "_transaction", "_start_transaction")
    )


def direct_available(db: AsyncConnection) -> bool:
    """Whether this connection's adapter exposes what the short path needs (see the module)."""
    return _has_short_path(_adapted(db))


def _plan(statement: Returning, dialect: Dialect) -> _Plan | None:
    plan = _KEPT.get(statement)
    if plan is None:
        plan = _Plan(statement, dialect)
        compiled = plan.compiled
        if (
            compiled.post_compile_params
            or compiled.literal_execute_params
            or compiled.insert_prefetch
            or compiled.update_prefetch
        ):
            # Expanded per execution, or a column's default made in Python for each one:
            # SQLAlchemy's path.
            del _KEPT[statement]
            return None
        _KEPT[statement] = plan
    return plan


def _autocommit(adapted: Any) -> bool:
    return bool(adapted.isolation_level == "autocommit")


def _runs_here(db: AsyncConnection, adapted: Any) -> bool:
    """Whether the statement may run on the driver: in a transaction (one the adapter has
    started, or one begun on SQLAlchemy's connection whose BEGIN the adapter has not sent
    yet), or alone on a connection in autocommit."""
    return adapted._transaction is not None or _autocommit(adapted) or db.in_transaction()


class _Asked(NamedTuple):
    plan: _Plan
    values: list[Any]
    answer: asyncio.Future[list[Any]]


class _Together:
    """The kept SELECTs asked on one connection while a :func:`together` block runs: the
    first to ask waits one round of the event loop for the others, then sends them all."""

    def __init__(self) -> None:
        self.asked: list[_Asked] = []

    async def rows(self, db: AsyncConnection, adapted: Any, plan: _Plan, values: list[Any]) -> Any:
        answer: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self.asked.append(_Asked(plan, values, answer))
        if len(self.asked) == 1:
            try:
                await asyncio.sleep(0)  # the other loads of the round ask theirs
            except BaseException:  # cancelled before sending: so are those waiting on it
                asked, self.asked = self.asked, []
                for each in asked:
                    each.answer.cancel()
                raise
            asked, self.asked = self.asked, []
            await _send_together(db, adapted, asked)
        return await answer


# The blocks of together(), by connection (the id of the AsyncConnection while it runs).
_TOGETHER: dict[int, _Together] = {}


@contextlib.contextmanager
def together(db: AsyncConnection | None) -> Iterator[None]:
    """Within the block, the kept SELECTs asked on ``db`` in one round of the event loop are
    sent as one statement (see the module); without a connection, nothing changes."""
    if db is None:
        yield
        return
    _TOGETHER[id(db)] = block = _Together()
    try:
        yield
    finally:
        if _TOGETHER.get(id(db)) is block:
            del _TOGETHER[id(db)]


# A parameter ($1) outside quoted literals and names, which are matched whole and kept.
_PARAMETER = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\$(\d+)")


def _renumbered(sql: str, offset: int) -> str:
    """``sql`` with its parameters numbered from ``offset + 1``."""

    def shift(match: re.Match[str]) -> str:
        number = match.group(1)
        return match.group(0) if number is None else f"${int(number) + offset}"

    return _PARAMETER.sub(shift, sql)


@functools.lru_cache(maxsize=256)
def _together_sql(plans: tuple[_Plan, ...]) -> str:
    """One statement giving each of ``plans``' rows as an array, in a column each."""
    parts = []
    offset = 0
    for plan in plans:
        # Our own compiled statements; every value stays a parameter.
        parts.append(f"ARRAY(SELECT q FROM ({_renumbered(plan.sql, offset)}) AS q)")  # noqa: S608
        offset += len(plan.arguments)
    return "SELECT " + ", ".join(parts)


# Fewer statements go one by one, and a read plan's level of fewer loads opens no block
# (schema/kit/reading.py): a level of one load waiting a round for others cost the timesheet
# page 12% more CPU (bench/turns.py, 2026-12-07), where the portal page's level of seven sent
# as one costs a third less in the app and a quarter less in the database. Two sent as one (the
# timesheet page's sites and technicians) cost that page 10% more in the app and 17% more in
# the database (bench/turns.py, 5 rounds, 2026-12-07 21:20), the portal page the same.
TOGETHER_FROM = 3


async def _send_together(db: AsyncConnection, adapted: Any, asked: list[_Asked]) -> None:
    """Each of ``asked`` answered: one by one when they are fewer than ``TOGETHER_FROM``,
    else in one statement."""
    try:
        if len(asked) < TOGETHER_FROM:
            for one in asked:
                one.answer.set_result(await _fetch(db, adapted, one.plan, one.values))
            return
        sql = _together_sql(tuple(each.plan for each in asked))
        values = [value for each in asked for value in each.values]

        async def fetch(driver: asyncpg.Connection) -> Any:
            for each in asked:
                if each.plan.make_row is None:  # its columns, as its first run alone plans them
                    await each.plan.prepared(driver)
            return await driver.fetch(sql, *values)

        records = await _send(db, adapted, sql, values, fetch)
        (arrays,) = records
        for each, rows in zip(asked, arrays, strict=True):
            each.answer.set_result(each.plan.rows(rows))
    except Exception as error:
        for each in asked:
            if not each.answer.done():
                each.answer.set_exception(error)
                each.answer.exception()  # retrieved: a caller closed meanwhile leaves no warning
    except BaseException:
        for each in asked:
            each.answer.cancel()
        raise


async def execute(
    db: AsyncConnection, statement: Returning, parameters: Mapping[str, Any]
) -> Sequence[sa.Row[Any]]:
    """The rows of ``statement`` with ``parameters``: on the driver when it is kept, else
    through SQLAlchemy."""
    plan = _plan(statement, db.dialect) if statement in _KEPT else None
    adapted = _adapted(db)
    if plan is None or not _has_short_path(adapted) or not _runs_here(db, adapted):
        through_sqlalchemy: Sequence[sa.Row[Any]] = (await db.execute(statement, parameters)).all()
        return through_sqlalchemy
    values = plan.values(parameters)
    block = _TOGETHER.get(id(db))
    if block is not None and plan.selects:
        rows: Sequence[sa.Row[Any]] = await block.rows(db, adapted, plan, values)
    else:
        rows = await _fetch(db, adapted, plan, values)
    return rows


async def _fetch(db: AsyncConnection, adapted: Any, plan: _Plan, values: list[Any]) -> Any:
    """The rows of one kept statement, run alone on the driver."""

    async def fetch(driver: asyncpg.Connection) -> Any:
        if plan.make_row is None:
            return await (await plan.prepared(driver)).fetch(*values)
        return await driver.fetch(plan.sql, *values)

    return plan.rows(await _send(db, adapted, plan.sql, values, fetch))


async def _send(
    db: AsyncConnection,
    adapted: Any,
    sql: str,
    values: list[Any],
    fetch: Callable[[asyncpg.Connection], Any],
) -> Any:
    """``fetch`` run on the driver under the adapter's lock, in the transaction SQLAlchemy
    began (its BEGIN sent first when the adapter has not sent it yet), with the statement
    events around it and driver errors raised as SQLAlchemy's."""
    sync = db.sync_connection
    assert sync is not None
    events = sync.dispatch.before_cursor_execute
    if events:
        events(sync, None, sql, tuple(values), None, False)
    mutex: asyncio.Lock = adapted._execute_mutex
    async with mutex:
        if adapted._transaction is None and not _autocommit(adapted):
            try:
                await adapted._start_transaction()
            except Exception as error:  # already the adapter's DBAPI error
                raise DBAPIError("BEGIN", None, error, hide_parameters=True) from error
        try:
            records = await fetch(adapted.driver_connection)
        except (asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            raise DBAPIError(sql, None, error, hide_parameters=True) from error
    finished = sync.dispatch.after_cursor_execute
    if finished:
        finished(sync, None, sql, tuple(values), None, False)
    return records
