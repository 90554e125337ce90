"""Each enum is written once: a GraphQL enum mirroring a stored one wraps that very class."""

from __future__ import annotations

import enum
import types
from collections.abc import Iterable, Iterator
from typing import cast

import pytest
import strawberry
from strawberry.schema.schema_converter import CustomGraphQLEnumType

import db.models
import db.queries
from db import models as m
from db.queries import accounts
from db.queries import reports as report_queries
from schema.kit.enums import described
from sportello.assembly import views
from tests.modules import defined_classes


def graphql_enums() -> dict[str, type[enum.Enum]]:
    """Every enum of every audience's schema: its GraphQL name and the Python class it wraps."""
    found: dict[str, type[enum.Enum]] = {}
    for view in views().values():
        for name, graphql_type in view._schema.type_map.items():
            if isinstance(graphql_type, CustomGraphQLEnumType):
                found[name] = cast("type[enum.Enum]", graphql_type.wrapped_cls)
    return found


def stored_enums(packages: Iterable[types.ModuleType]) -> Iterator[type[enum.Enum]]:
    """The enum classes defined in the modules of ``packages`` (db/models, db/queries)."""
    for package in packages:
        for _, value in defined_classes(package):
            if issubclass(value, enum.Enum):
                yield value


def twins(graphql: dict[str, type[enum.Enum]], stored: Iterable[type[enum.Enum]]) -> list[str]:
    """Stored enums written a second time for GraphQL: a class that no GraphQL enum wraps but
    that has the name or the members of one."""
    wrapped = set(graphql.values())
    found = []
    for cls in stored:
        if cls in wrapped:
            continue
        for name, graphql_cls in graphql.items():
            if cls.__name__ in (name, graphql_cls.__name__) or (
                cls.__members__.keys() == graphql_cls.__members__.keys()
            ):
                found.append(f"{cls.__module__}.{cls.__name__} has a twin: GraphQL's {name}")
    return found


def test_no_graphql_enum_copies_a_stored_one() -> None:
    stored = list(stored_enums([db.models, db.queries]))
    assert twins(graphql_enums(), stored) == []


def test_the_graphql_enums_are_the_stored_classes() -> None:
    graphql = graphql_enums()
    assert graphql["TicketStatus"] is m.TicketStatus
    assert graphql["TicketUrgency"] is m.Urgency
    assert graphql["AppointmentStatus"] is m.InterventionStatus
    assert graphql["AccountKind"] is accounts.AccountKind
    assert graphql["ReportPeriod"] is report_queries.Period


def test_a_second_copy_is_caught() -> None:
    class TicketStatus(enum.Enum):  # what the schema held before: a copy by the same name
        OPEN = "OPEN"

    class Priority(enum.StrEnum):  # a copy under another name, with the same members
        LOW = "LOW"
        NORMAL = "NORMAL"
        HIGH = "HIGH"
        CRITICAL = "CRITICAL"

    found = twins(graphql_enums(), [TicketStatus, Priority, m.TicketStatus])
    assert len(found) == 2
    assert "TicketStatus has a twin: GraphQL's TicketStatus" in found[0]
    assert "Priority has a twin: GraphQL's TicketUrgency" in found[1]


def test_describing_a_member_that_does_not_exist_is_refused() -> None:
    @strawberry.enum
    class Colour(enum.Enum):
        RED = "RED"

    with pytest.raises(ValueError, match="Colour has no member BLUE"):
        described(Colour, BLUE="The sky.")
    assert described(Colour, RED="A rose.") is Colour
