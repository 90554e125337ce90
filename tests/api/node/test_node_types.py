"""node(id:) finds its types in the schema being run: any type implementing Node with a by-id
query, including one added later, and none that the caller's view leaves out."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLInterfaceType

from authz.principals import Audience
from db.queries import clients as client_queries
from resolvers.node import NodeQuery, node_type
from schema.kit import ids
from schema.kit.relay import Node
from sportello.assembly import views


@strawberry.type(description="A type added after node(id:) was written.")
class Gadget(Node):
    by_id = client_queries.clients_by_id
    name: str

    @classmethod
    def from_row(cls, row: Any) -> Gadget:
        return cls(id=ids.encode("Gadget", row.id), name=row.name)


@strawberry.type
class GadgetQuery(NodeQuery):
    @strawberry.field
    def gadget_count(self) -> int:
        return 0


def test_a_new_node_type_is_found_without_being_listed() -> None:
    schema = strawberry.Schema(query=GadgetQuery, types=[Gadget])

    assert node_type(schema, "Gadget") is Gadget
    assert node_type(schema, "Node") is None  # the interface itself is no record type
    assert node_type(schema, "GadgetQuery") is None  # not a Node
    assert node_type(schema, "Client") is None  # not in this schema


def test_every_node_type_of_the_staff_view_is_found_and_loadable() -> None:
    staff = views()[Audience.STAFF]
    node = staff._schema.get_type("Node")
    assert isinstance(node, GraphQLInterfaceType)
    implementing = {t.name for t in staff._schema.get_implementations(node).objects}

    assert {"Client", "Site", "Ticket", "WorkSheet", "StaffUser", "Invoice"} <= implementing
    found = {name: node_type(staff, name) for name in implementing}
    assert all(found.values())
    # Outbox messages are listed, never asked for one by one.
    not_loadable = sorted(n for n, t in found.items() if t is not None and t.by_id is None)
    assert not_loadable == ["OutboxMessage"]


def test_a_type_outside_the_callers_view_is_not_found() -> None:
    portal = views()[Audience.PORTAL]

    assert node_type(views()[Audience.STAFF], "StaffUser") is not None
    assert node_type(portal, "StaffUser") is None
