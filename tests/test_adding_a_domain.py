"""The central lists a new domain is added to (CONTRIBUTING.md, "Adding a domain") fail here
when the domain is forgotten in them.

The policy table has its own completeness check (building the views fails for a field of the
portal or partner view without a rule), node(id:) finds its types without a list
(tests/api/node), and the tenancy attack fails for a mutation taking an id it has no input for
(tests/security/mutation_inputs.py). What remains: the schema's assembly and the models'
package.
"""

from __future__ import annotations

from sqlmodel import SQLModel

import db.models
import resolvers
from sportello.assembly import Mutation, Query
from tests.modules import defined_classes


def root_parts(suffix: str) -> dict[str, type]:
    """Every Strawberry type of resolvers/ named ``<Domain>Query`` or ``<Domain>Mutation``."""
    return {
        f"{part.__module__}.{name}": part
        for name, part in defined_classes(resolvers)
        if name.endswith(suffix) and hasattr(part, "__strawberry_definition__")
    }


def field_names(part: type) -> set[str]:
    return {field.name for field in part.__strawberry_definition__.fields}  # type: ignore[attr-defined]


def test_every_query_and_mutation_part_is_assembled() -> None:
    for suffix, assembled in (("Query", Query), ("Mutation", Mutation)):
        parts = root_parts(suffix)
        assert parts, f"no {suffix} part found in resolvers/"
        served = field_names(assembled)
        missing = {
            where: sorted(field_names(part) - served)
            for where, part in parts.items()
            if field_names(part) - served
        }
        assert missing == {}, f"add these parts to sportello/assembly.py's {suffix}"


def test_every_table_is_exported_by_the_models_package() -> None:
    """Alembic and the tenancy checks see the tables db.models imports; a model module the
    package forgets is a table without a migration."""
    exported = set(db.models.__all__)
    for name, model in defined_classes(db.models):
        if issubclass(model, SQLModel) and getattr(model, "__table__", None) is not None:
            assert name in exported, f"db/models/__init__.py does not export {name}"
