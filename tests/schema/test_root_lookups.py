"""Every root field answering one record by id is declared for the read plans (resolvers/kit/
roots.py ``one_by_id``): a plan loads it with a statement of its own, with no call of its
Strawberry resolver nor of the request's loaders."""

from __future__ import annotations

import pytest
from graphql import parse
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from authz.principals import Audience
from resolvers.kit.roots import Lookup
from schema.kit.declared import DECLARED
from schema.kit.read_plans import LOADED, plan_for
from sportello.assembly import views


def lookups() -> list[str]:
    """The staff view's root fields taking only an ``id`` (``node`` aside: any type, through
    its resolver)."""
    query = views()[Audience.STAFF]._schema.query_type
    assert query is not None
    return [name for name, field in query.fields.items() if list(field.args) == ["id"]]


def test_the_one_by_id_fields_are_found() -> None:
    assert {"site", "client", "ticket", "invoice", "workSheet", "node"} <= set(lookups())


@pytest.mark.parametrize("name", [name for name in lookups() if name != "node"])
def test_a_plan_loads_each_one_by_id_field_through_its_declaration(name: str) -> None:
    schema = views()[Audience.STAFF]._schema
    assert schema.query_type is not None
    definition = schema.query_type.fields[name].extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
    assert isinstance(definition, StrawberryField)
    assert isinstance(definition.metadata.get(DECLARED), Lookup), f"{name} has no one_by_id"
    source = f'{{ {name}(id: "x") {{ __typename }} }}'
    planned = plan_for(schema, source, parse(source), None, {}, {})
    assert planned is not None
    (step,) = planned[0].root.steps
    assert step.kind == LOADED
