"""The one schema of Sportello, assembled from the domain parts, and its audience views."""

from __future__ import annotations

from functools import cache

from strawberry.tools import merge_types

from authz.principals import Audience
from resolvers.clients import ClientQuery
from resolvers.identity import IdentityMutation, IdentityQuery
from resolvers.node import NodeQuery
from resolvers.portal_access import PortalAccessMutation, PortalAccessQuery
from schema.meta import MetaQuery
from schema.views import ViewSchema, build_views

Query = merge_types("Query", (MetaQuery, IdentityQuery, NodeQuery, ClientQuery, PortalAccessQuery))
Mutation = merge_types("Mutation", (IdentityMutation, PortalAccessMutation))


@cache
def views() -> dict[Audience, ViewSchema]:
    """Every audience's view, built once per process (building checks the policy table)."""
    return build_views(Query, Mutation)
