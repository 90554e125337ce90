"""What each importable entity is: its table, its fields, the record it belongs to, and its
checks, which are the staff mutations' own (resolvers/*_actions.py), so a row is refused
exactly when ``create...``/``update...`` would refuse the same values, naming the same field.

Fields are named as in the mutations' inputs (``postalCode``, ``serialNumber``); a record
names the one it belongs to by that one's external reference (``clientRef``, ``siteRef``),
because the source system knows its own keys, not Sportello's ids. Entities are imported in
:data:`ORDER`, each after the ones it names.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from db import models as m
from resolvers import billing_actions, client_actions, equipment_actions
from schema import client_inputs
from schema.billing_inputs import UpdateContractInput, UpdateEquipmentInput, required_text
from schema.kit.errors import BadUserInput

# A row's given fields (text) and the record it changes (None: a new one) -> checked columns.
Check = Callable[[dict[str, str], Any], dict[str, Any]]

EXTERNAL_REF = {"externalRef": ("external_ref", 100, True)}


def external_ref(fields: dict[str, str]) -> str:
    """The row's external reference, checked like any required text of 100 characters."""
    given = fields.get("externalRef")
    if given is None:
        raise BadUserInput("externalRef", "every row needs one")
    ref: str = client_actions.texts(EXTERNAL_REF, {"externalRef": given})["external_ref"]
    return ref


def _number(field: str, value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        raise BadUserInput(field, "give a number, e.g. 45.4642") from None


def _day(field: str, value: str | None) -> dt.date | None:
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise BadUserInput(field, "give a date like 2026-11-23") from None


def _flag(field: str, value: str | None) -> bool | None:
    if value is None:
        return None
    text = value.strip().lower()
    if text in ("true", "1", "yes", "si", "sì"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise BadUserInput(field, "give true or false")


def _client(fields: dict[str, str], _: Any) -> dict[str, Any]:
    given = {field: fields.get(field) for field in client_actions.CLIENT_TEXT}
    values = client_actions.texts(client_actions.CLIENT_TEXT, given)
    client_actions.check_client(values)
    return values


def _site(fields: dict[str, str], _: Any) -> dict[str, Any]:
    site = client_inputs.UpdateSiteInput(
        name=fields.get("name"),
        address=fields.get("address"),
        postal_code=fields.get("postalCode"),
        city=fields.get("city"),
        lat=_number("lat", fields.get("lat")),
        lng=_number("lng", fields.get("lng")),
        province=fields.get("province"),
        country=fields.get("country"),
    )
    return client_actions.site_values(site)


def _department(fields: dict[str, str], _: Any) -> dict[str, Any]:
    visible = _flag("portalVisible", fields.get("portalVisible"))
    return client_actions.department_values(fields.get("name"), visible)


def _equipment(fields: dict[str, str], _: Any) -> dict[str, Any]:
    equipment = UpdateEquipmentInput(
        kind=fields.get("kind"),
        model=fields.get("model"),
        serial_number=fields.get("serialNumber"),
        location=fields.get("location"),
        installed_on=_day("installedOn", fields.get("installedOn")),
    )
    values = equipment_actions.equipment_values(equipment)
    if "installedOn" in fields and "installed_on" not in values:  # given empty: cleared
        values["installed_on"] = None
    return values


def _contract(fields: dict[str, str], current: Any) -> dict[str, Any]:
    contract = UpdateContractInput(
        kind=fields.get("kind"),
        description=fields.get("description"),
        starts_on=_day("startsOn", fields.get("startsOn")),
        expires_on=_day("expiresOn", fields.get("expiresOn")),
    )
    values = billing_actions.contract_fields(contract)
    if "number" in fields:
        values["number"] = required_text("number", fields["number"], 32)
    billing_actions.check_dates(values, current, "starts_on", "expires_on")
    return values


@dataclasses.dataclass(frozen=True)
class Parent:
    """A record this one belongs to, named by ``field`` (its external reference)."""

    field: str
    entity: str
    column: str
    required: bool


@dataclasses.dataclass(frozen=True)
class Entity:
    """An importable entity. ``fields``: the row's fields besides externalRef and the parents';
    ``required``: those a new record needs; ``defaults``: columns of a new record a row may
    leave out; ``unique``: (field, column) unique in the organization; ``label``: the name
    of its audit actions (``<label>_created``, ``<label>_changed``), as its mutations write."""

    name: str
    model: Any
    type_name: str
    label: str
    fields: tuple[str, ...]
    required: tuple[str, ...]
    check: Check
    parents: tuple[Parent, ...] = ()
    defaults: dict[str, Any] = dataclasses.field(default_factory=dict)
    unique: tuple[str, str] | None = None

    @property
    def accepted(self) -> frozenset[str]:
        return frozenset(("externalRef", *self.fields, *(p.field for p in self.parents)))


CLIENT_REF = Parent("clientRef", "clients", "client_id", required=True)
ENTITIES = {
    entity.name: entity
    for entity in (
        Entity(
            "clients",
            m.Client,
            "Client",
            "client",
            tuple(client_actions.CLIENT_TEXT),
            ("code", "name"),
            _client,
            unique=("code", "code"),
        ),
        Entity(
            "sites",
            m.Site,
            "Site",
            "site",
            ("name", "address", "postalCode", "city", "province", "country", "lat", "lng"),
            ("name", "address", "postalCode", "city", "lat", "lng"),
            _site,
            parents=(CLIENT_REF,),
            defaults={"country": "IT"},
        ),
        Entity(
            "departments",
            m.Department,
            "Department",
            "department",
            ("name", "portalVisible"),
            ("name",),
            _department,
            defaults={"portal_visible": True},
            unique=("name", "name"),
        ),
        Entity(
            "equipment",
            m.Equipment,
            "Equipment",
            "equipment",
            ("kind", "model", "serialNumber", "location", "installedOn"),
            ("kind",),
            _equipment,
            parents=(Parent("siteRef", "sites", "site_id", required=True),),
        ),
        Entity(
            "contracts",
            m.Contract,
            "Contract",
            "contract",
            ("number", "kind", "description", "startsOn", "expiresOn"),
            ("number", "kind", "startsOn", "expiresOn"),
            _contract,
            parents=(CLIENT_REF, Parent("siteRef", "sites", "site_id", required=False)),
            defaults={"description": ""},
            unique=("number", "number"),
        ),
    )
}
# Each entity after the ones its rows name.
ORDER = ("clients", "departments", "sites", "equipment", "contracts")
