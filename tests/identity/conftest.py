"""The accounts the identity tests log in as: staff of two organizations and contacts in
every state (active, disabled, invited without a password)."""

from __future__ import annotations

import pytest

from db import models as m
from tests import factories
from tests.api import Api
from tests.conftest import MakeAcme


@pytest.fixture
async def world(make_acme: MakeAcme) -> Api:
    built, org = await make_acme("boss@acme.example", phone="+39 02 1234 5678")
    engine = built.engine
    client_id = await factories.client(engine, org, "C1")
    await factories.contact(
        engine, org, "carla@client.example", clients=(client_id,), mobile="333 123 4567"
    )
    await factories.contact(
        engine, org, "off@client.example", state=m.ContactState.DISABLED, clients=(client_id,)
    )
    await factories.contact(
        engine,
        org,
        "new@client.example",
        password=None,
        state=m.ContactState.INVITED,
        clients=(client_id,),
    )
    other = await factories.organization(engine, "other")
    await factories.staff(engine, other, "boss@other.example")
    return built
