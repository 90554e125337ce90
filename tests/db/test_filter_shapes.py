"""A filter's shape holds no value: statements built from it need each request's values."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from authz.principals import Audience
from authz.scope import RowScope
from db.queries import tickets
from db.scoped.filter_shapes import UNBOUND, filter_parameters, filter_shape


def test_a_shape_keeps_which_fields_are_given_and_no_value() -> None:
    site = uuid.uuid4()
    where = tickets.TicketFilter(site_id=site, statuses=("OPEN",), opened_from=dt.date(2026, 1, 1))
    shape = filter_shape(where, tickets.FILTER_PARAMETERS)
    assert shape.site_id is UNBOUND
    assert shape.opened_from is UNBOUND
    assert shape.client_id is None
    assert shape.opened_to is None
    assert shape.statuses == ("OPEN",)  # chooses the statement's text: stays in the shape
    other = tickets.TicketFilter(
        site_id=uuid.uuid4(), statuses=("OPEN",), opened_from=dt.date(2025, 5, 5)
    )
    assert filter_shape(other, tickets.FILTER_PARAMETERS) == shape
    assert filter_parameters(where, tickets.FILTER_PARAMETERS) == {
        "where_site_id": site,
        "where_opened_from": dt.date(2026, 1, 1),
    }


def test_a_statement_of_a_shape_does_not_run_without_the_filters_values() -> None:
    scope = RowScope(uuid.uuid4(), Audience.STAFF)
    where = tickets.TicketFilter(site_id=uuid.uuid4())
    statement = tickets.tickets_statement(
        scope.shape, filter_shape(where, tickets.FILTER_PARAMETERS)
    )
    compiled = statement.compile()
    with pytest.raises(sa.exc.InvalidRequestError, match="where_site_id"):
        compiled.construct_params(dict(scope.parameters))
    given = compiled.construct_params(
        {**scope.parameters, **filter_parameters(where, tickets.FILTER_PARAMETERS)}
    )
    assert given["where_site_id"] == where.site_id
