"""The office of the portal access tests."""

from __future__ import annotations

import pytest

from db import models as m
from tests import factories
from tests.api.portal_access.kit import Office
from tests.conftest import MakeAcme


@pytest.fixture
async def office(make_acme: MakeAcme) -> Office:
    api, org = await make_acme()
    engine = api.engine
    await factories.staff(engine, org, "office@acme.example", m.StaffRole.OFFICE)
    await factories.staff(engine, org, "tech@acme.example", m.StaffRole.TECHNICIAN)
    built = Office(engine, api.client)
    built.org = org
    built.client_a = await factories.client(engine, org, "A", name="Alfa Srl")
    built.client_b = await factories.client(engine, org, "B", name="Beta Spa")
    built.site_b1 = await factories.site(engine, org, built.client_b, "Magazzino")
    other = await factories.organization(engine, "other")
    built.foreign_client = await factories.client(engine, other, "X")
    built.admin = await built.token("admin@acme.example")
    built.clerk = await built.token("office@acme.example")
    built.technician = await built.token("tech@acme.example")
    return built
