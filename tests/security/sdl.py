"""What the committed SDL of each audience says, read the way an attacker reads a schema:
which root fields look a record up by id, which list a type, which fields hold values; and
placeholder values its inputs accept, written as a document writes them."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import uuid
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    get_named_type,
    is_interface_type,
    is_leaf_type,
    is_required_argument,
    is_required_input_field,
)

from schema.kit import ids

SDL_DIR = Path(__file__).resolve().parents[2] / "schema" / "sdl"
AUDIENCES = ("public", "staff", "portal", "partner")
BUILT_IN = frozenset({"String", "Boolean", "ID", "Int", "Float"})
# Things a leaked error message would contain, never a message meant for a caller.
INTERNALS = re.compile(
    r"(?i:traceback|file \"|\.py\b|/work/|site-packages|sqlalchemy|asyncpg|psycopg|postgres|"
    r"violates|duplicate key|constraint|statement timeout|canceling statement|"
    r"invalid byte sequence|background on this error)|"
    r"\bSELECT\b|\bINSERT INTO\b|\bUPDATE [a-z_]+ SET\b|\bDELETE FROM\b|\bFROM [a-z_]+\b|\[SQL:"
)


@functools.cache
def audience_schema(audience: str) -> GraphQLSchema:
    return build_schema((SDL_DIR / f"{audience}.graphql").read_text())


def type_names(schema: GraphQLSchema) -> frozenset[str]:
    return frozenset(name for name in schema.type_map if not name.startswith("__"))


@dataclasses.dataclass(frozen=True)
class Lookup:
    """A root field ``field(id: ID!): Type``."""

    field: str
    type_name: str


def lookups(schema: GraphQLSchema) -> list[Lookup]:
    """Every root field that takes ``id: ID!`` and nothing else required, returning a type."""
    query = schema.query_type
    assert query is not None
    found = []
    for name, field in query.fields.items():
        argument = field.args.get("id")
        if argument is None or str(argument.type) != "ID!":
            continue
        others = [a for n, a in field.args.items() if n != "id"]
        returned = get_named_type(field.type)
        # node(id:) returns an interface: it is tried beside every lookup, and on its own.
        if any(is_required_argument(a) for a in others) or is_interface_type(returned):
            continue
        found.append(Lookup(name, returned.name))
    return found


@dataclasses.dataclass(frozen=True)
class Listing:
    """A root field listing a type: a connection (``edges { node }``) or a plain list."""

    field: str
    type_name: str
    connection: bool
    arguments: frozenset[str]


def _required_args(field: GraphQLField) -> bool:
    return any(is_required_argument(a) for a in field.args.values())


def listing(schema: GraphQLSchema, type_name: str) -> Listing | None:
    """The root field that lists ``type_name`` without required arguments, if any."""
    query = schema.query_type
    assert query is not None
    for name, field in query.fields.items():
        if _required_args(field):
            continue
        outer = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        named = get_named_type(field.type)
        if isinstance(outer, GraphQLList) and named.name == type_name:
            return Listing(name, type_name, False, frozenset(field.args))
        if isinstance(named, GraphQLObjectType) and "edges" in named.fields:
            edge = get_named_type(named.fields["edges"].type)
            assert isinstance(edge, GraphQLObjectType)
            node = edge.fields.get("node")
            if node is not None and get_named_type(node.type).name == type_name:
                return Listing(name, type_name, True, frozenset(field.args))
    return None


def values_of(type_: GraphQLNamedType) -> list[str]:
    """The fields of an object type holding values (scalars and enums, no arguments needed)."""
    if not isinstance(type_, GraphQLObjectType):
        return []
    return [
        name
        for name, field in type_.fields.items()
        if is_leaf_type(get_named_type(field.type)) and not _required_args(field)
    ]


def node_types(schema: GraphQLSchema) -> list[str]:
    """Object types implementing Node: what ``node(id:)`` can return."""
    return sorted(
        name
        for name, type_ in schema.type_map.items()
        if isinstance(type_, GraphQLObjectType)
        and any(interface.name == "Node" for interface in type_.interfaces)
    )


# Mutations that end the caller's own session: a run that sent them would go on anonymous.
SESSION_ENDING = frozenset({"logout", "changePassword"})


@dataclasses.dataclass(frozen=True)
class Position:
    """Where a caller puts a value: an argument of a field (at the root, or nested under the
    root fields in ``path``), or a field of an input object under that argument."""

    operation: str  # "query" or "mutation"
    # Field names from the root to the field taking the argument, e.g. clients, edges, node,
    # sites for ``{ clients { edges { node { sites(after:) } } } }``.
    path: tuple[str, ...]
    # The argument, then the input fields down to the position.
    argument: tuple[str, ...]
    type: GraphQLInputType

    def __str__(self) -> str:
        return f"{self.operation} {'.'.join(self.path)}({'.'.join(self.argument)})"


def _required(field: GraphQLField) -> bool:
    return any(is_required_argument(a) for a in field.args.values())


def _reach(schema: GraphQLSchema) -> dict[str, tuple[str, ...]]:
    """The shortest path of fields from Query to each object or interface type, through
    fields that need no argument where there is such a path (they resolve to rows on demo
    data), else through any."""
    assert schema.query_type is not None
    paths: dict[str, tuple[str, ...]] = {schema.query_type.name: ()}
    for allow_required in (False, True):
        queue = list(paths)
        while queue:
            owner = schema.get_type(queue.pop(0))
            assert isinstance(owner, GraphQLObjectType | GraphQLInterfaceType)
            for name, field in owner.fields.items():
                target = get_named_type(field.type)
                if not isinstance(target, GraphQLObjectType | GraphQLInterfaceType):
                    continue
                if target.name in paths or (_required(field) and not allow_required):
                    continue
                paths[target.name] = (*paths[owner.name], name)
                queue.append(target.name)
    return paths


def _inputs(
    type_: GraphQLInputType, at: tuple[str, ...], seen: frozenset[str]
) -> list[tuple[tuple[str, ...], GraphQLInputType]]:
    """``at`` and every input field below it (an input type inside itself once)."""
    found = [(at, type_)]
    named = get_named_type(type_)
    if isinstance(named, GraphQLInputObjectType) and named.name not in seen:
        for name, field in named.fields.items():
            found += _inputs(field.type, (*at, name), seen | {named.name})
    return found


def positions(schema: GraphQLSchema) -> list[Position]:
    """Every argument of every field a query can reach (mutations: their own arguments), and
    every input field under them, read from the SDL: a new argument is a new position."""
    found: list[Position] = []
    for type_name, path in _reach(schema).items():
        owner = schema.get_type(type_name)
        assert isinstance(owner, GraphQLObjectType | GraphQLInterfaceType)
        for name, field in owner.fields.items():
            for argument_name, argument in field.args.items():
                for at, type_ in _inputs(argument.type, (argument_name,), frozenset()):
                    found.append(Position("query", (*path, name), at, type_))
    if schema.mutation_type is not None:
        for name, field in schema.mutation_type.fields.items():
            if name in SESSION_ENDING:
                continue
            for argument_name, argument in field.args.items():
                for at, type_ in _inputs(argument.type, (argument_name,), frozenset()):
                    found.append(Position("mutation", (name,), at, type_))
    # A type reached through an interface and as itself lists its fields once per owner.
    return list(dict.fromkeys(found))


# A value of each scalar that passes coercion; ids name no record.
NOWHERE = ids.encode("Site", uuid.UUID(int=1))
PLACEHOLDERS: dict[str, Any] = {
    "String": "x",
    "ID": NOWHERE,
    "Int": 1,
    "Float": 1.0,
    "Boolean": True,
    "Date": "2026-11-23",
    "DateTime": "2026-11-23T08:00:00+01:00",
    "Time": "08:00:00",
    "Decimal": "1",
    "UUID": str(uuid.UUID(int=1)),
    "JSON": {},
}


def placeholder(type_: GraphQLInputType) -> Any:
    """A value of ``type_`` that passes coercion: required input fields filled."""
    if isinstance(type_, GraphQLNonNull):
        return placeholder(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [placeholder(type_.of_type)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {
            name: placeholder(field.type)
            for name, field in type_.fields.items()
            if is_required_input_field(field)
        }
    return PLACEHOLDERS.get(type_.name, "x")


def literal(value: Any, type_: GraphQLInputType) -> str:
    """``value`` of ``type_`` written in the document."""
    if isinstance(type_, GraphQLNonNull):
        return literal(value, type_.of_type)
    if isinstance(type_, GraphQLList):
        return "[" + ", ".join(literal(v, type_.of_type) for v in value) + "]"
    if isinstance(type_, GraphQLEnumType):
        return str(value)
    if isinstance(type_, GraphQLInputObjectType):
        fields = ", ".join(f"{k}: {literal(v, type_.fields[k].type)}" for k, v in value.items())
        return "{" + fields + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)
