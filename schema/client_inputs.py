"""Inputs of the staff mutations on clients, sites and departments (resolvers/client_actions.py).

Create inputs name what a new record needs; update inputs change only the fields given (a
field left out or null stays as it is; an optional text given as "" is cleared).
"""

from __future__ import annotations

from decimal import Decimal

import strawberry


@strawberry.input(description="A new client. The code is unique in the organization.")
class CreateClientInput:
    code: str = strawberry.field(description="At most 32 characters, unique per organization.")
    name: str = strawberry.field(description="At most 200 characters.")
    tax_id: str | None = strawberry.field(default=None, description="At most 32 characters.")
    email: str | None = None
    phone: str | None = None


@strawberry.input(description="Changes to a client; a field left out stays as it is.")
class UpdateClientInput:
    code: str | None = None
    name: str | None = None
    tax_id: str | None = strawberry.field(default=None, description='"" clears it.')
    email: str | None = strawberry.field(default=None, description='"" clears it.')
    phone: str | None = strawberry.field(default=None, description='"" clears it.')


@strawberry.input(description="A new site of a client; lat/lng come from the caller's geocoder.")
class CreateSiteInput:
    client_id: strawberry.ID
    name: str
    address: str
    postal_code: str
    city: str
    lat: Decimal = strawberry.field(description="-90 to 90, kept to 6 decimal places.")
    lng: Decimal = strawberry.field(description="-180 to 180, kept to 6 decimal places.")
    province: str | None = None
    country: str = strawberry.field(default="IT", description="ISO 3166-1 alpha-2 code.")


@strawberry.input(
    description="Changes to a site; a field left out stays as it is. A site keeps its client."
)
class UpdateSiteInput:
    name: str | None = None
    address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    lat: Decimal | None = None
    lng: Decimal | None = None
    province: str | None = strawberry.field(default=None, description='"" clears it.')
    country: str | None = None


@strawberry.input(description="A new department; the name is unique in the organization.")
class CreateDepartmentInput:
    name: str = strawberry.field(description="At most 120 characters.")
    portal_visible: bool = strawberry.field(
        default=True, description="Offered in the portal's ticket form."
    )


@strawberry.input(description="Changes to a department; a field left out stays as it is.")
class UpdateDepartmentInput:
    name: str | None = None
    portal_visible: bool | None = None
