"""GraphQL execution with short paths: the executor the GraphQL route runs.

- **Plain fields** (schema/kit/plans.py) are read from their attribute and coerced with the
  field's own scalar or enum type; an object or list attribute is handed to graphql-core's
  completion with one resolve info per selection (completion reads its types, never its path;
  resolvers below get their own). Anything unusual is left to graphql-core: a ``null`` on a
  non-null field, a value its type refuses or a failing attribute read take the ordinary path,
  which raises and locates the error exactly as before.
- **Direct resolvers**: a sync resolver without arguments or extensions (a document's
  ``downloadUrl``) is called with what Strawberry's wrapper would give it, and its value
  completed the same way.
- **Lists resolve their rows' async fields together** (schema/kit/lists.py).
- **Flag-gated reads refused to the caller answer null.** The fields the request's field checks
  put in ``nulled`` (a site's ``invoices`` for a contact without ``can_view_invoices``:
  authz/checks.py) are not resolved: each answers ``null`` (the portal view holds them
  nullable) with a FORBIDDEN error at its path, so none of their SQL runs, and the rest of the
  document is executed as usual. They are never resolved together with a list's rows either.

``is_awaitable`` answers from the value's type, looked up once per type (graphql-core asks it
twice per field).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from graphql import GraphQLObjectType, GraphQLResolveInfo, Undefined
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path

from schema.kit.errors import Forbidden
from schema.kit.lists import ListsTogetherExecution
from schema.kit.plans import DirectResolver, PlainField, is_awaitable
from schema.kit.together import Outcome


class FieldRefused(Forbidden):
    """A flag-gated field the caller may not read, answered null at its path.

    The route keeps the request's transaction when these are its only errors: they refuse
    a read, not the request (the session's last use is still recorded)."""


# What the short paths answer when a field needs graphql-core's ordinary path.
_ORDINARY = object()


class PlainFieldsExecution(ListsTogetherExecution):
    """Strawberry's execution context, with plain fields read directly (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per selection of a plain object or list field: one resolve info for every object
        # (completion reads its types and schema, never its path; resolvers get their own).
        self._plain_infos: dict[int, tuple[FieldDetailsList, GraphQLResolveInfo[Any]]] = {}

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        name = field_details_list[0].node.name.value
        if self._nulled and (parent_type.name, name) in self._nulled:
            return self._refuse(parent_type, name, field_details_list, path)
        plan = self._type_plans(parent_type).get(name)
        if isinstance(plan, PlainField):
            coerce = plan.coerce
            if coerce is None:
                completed = self._complete_plain_value(
                    parent_type, source, field_details_list, path, position_context, plan
                )
                if completed is not _ORDINARY:
                    return completed
            else:
                try:
                    value = getattr(source, plan.attribute)
                    if value is None:
                        if not plan.non_null:
                            return None
                    else:
                        coerced = coerce(value)
                        if coerced is not None and coerced is not Undefined:
                            return coerced
                except Exception:  # noqa: S110 - the ordinary path below raises it, located
                    pass
        if self._resolved:
            resolved = self._resolved.pop((id(source), id(field_details_list)), None)
            if resolved is not None and resolved[0] is source:
                return self._complete_resolved(
                    field_details_list, path, position_context, *resolved[1:]
                )
        if isinstance(plan, DirectResolver) and self._direct_allowed:
            return self._call_direct(
                plan, parent_type, source, field_details_list, path, position_context
            )
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _refuse(
        self,
        parent_type: GraphQLObjectType,
        name: str,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> None:
        """A flag-gated field the caller may not read: null, and FORBIDDEN at its path."""
        refused = FieldRefused(self._nulled[parent_type.name, name])
        self.handle_field_error(refused, parent_type.fields[name].type, field_details_list, path)
        return None

    def _call_direct(
        self,
        direct: DirectResolver,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """``direct``'s resolver called as Strawberry's wrapper would call it (the source as
        ``self``, ``root`` or ``parent``, an ``Info``), its value completed by graphql-core."""
        converter = self._converter
        assert converter is not None
        resolve_info = self.build_resolve_info(
            direct.field, to_nodes(field_details_list), parent_type, path
        )
        info = converter.config.info_class(_raw_info=resolve_info, _field=direct.definition)
        kwargs: dict[str, Any] = dict.fromkeys(direct.source_names, source)
        if direct.info_name is not None:
            kwargs[direct.info_name] = info
        try:
            args = [source] if direct.takes_self else []
            value = direct.definition.get_result(source, info, args, kwargs)
        except Exception as error:  # completed below: raised there, located
            outcome = Outcome(None, error)
        else:
            if is_awaitable(value):
                return self._complete_awaited(
                    value, field_details_list, path, position_context, resolve_info
                )
            outcome = Outcome(value)
        return self._complete_resolved(
            field_details_list, path, position_context, outcome, resolve_info
        )

    async def _complete_awaited(
        self,
        awaitable: Awaitable[Any],
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
        resolve_info: GraphQLResolveInfo[Any],
    ) -> Any:
        """What a sync resolver handed back to await, awaited and then completed."""
        try:
            outcome = Outcome(await awaitable)
        except Exception as error:
            outcome = Outcome(None, error)
        completed = self._complete_resolved(
            field_details_list, path, position_context, outcome, resolve_info
        )
        if is_awaitable(completed):
            return await completed
        return completed

    def _complete_plain_value(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
        plain: PlainField,
    ) -> Any:
        """An object or list attribute, completed without a resolver call; anything unusual
        (a failing read, null on a non-null field, an awaitable): :data:`_ORDINARY`."""
        try:
            value = getattr(source, plain.attribute)
        except Exception:
            return _ORDINARY
        if value is None:
            return _ORDINARY if plain.non_null else None
        if is_awaitable(value):
            return _ORDINARY
        known = self._plain_infos.get(id(field_details_list))
        if known is None:
            field = parent_type.fields[field_details_list[0].node.name.value]
            info = self.build_resolve_info(field, to_nodes(field_details_list), parent_type, path)
            known = self._plain_infos[id(field_details_list)] = (field_details_list, info)
        return self._complete_resolved(
            field_details_list, path, position_context, Outcome(value), known[1]
        )
