"""Strawberry's own executor, for what no read plan runs (schema/kit/read_plans.py): requests
whose variables do not fit or whose operation cannot be chosen (graphql-core words their
errors), and every operation when ``SPORTELLO_READ_PLANS=false`` (the plans' reference in
tests/api/examples/test_read_plans.py).

One thing is added to Strawberry's execution context: a flag-gated read refused to the caller
(authz/checks.py ``nulled``: a site's ``invoices`` for a contact without
``can_view_invoices``) is not resolved; it answers ``null`` (the portal view holds it
nullable) with a FORBIDDEN error at its path, as a plan's refused step does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLObjectType
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from authz.checks import FieldChecks
from schema.kit.errors import FieldRefused


class RefusingExecution(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context answering the request's refused reads null."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        checks = getattr(self.context_value, "checks", None)
        self._nulled: Mapping[tuple[str, str], str] = (
            checks.nulled if isinstance(checks, FieldChecks) else {}
        )

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        name = field_details_list[0].node.name.value
        message = self._nulled.get((parent_type.name, name))
        if message is None:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        field_type = parent_type.fields[name].type
        self.handle_field_error(FieldRefused(message), field_type, field_details_list, path)
        return None
