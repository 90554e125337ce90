"""Fields about the API itself, readable by every audience."""

from __future__ import annotations

from importlib.metadata import version

import strawberry

from authz.policy import EVERYONE
from schema.kit.permissions import permitted

API_VERSION = version("sportello")


@strawberry.type
class MetaQuery:
    @strawberry.field(
        description="The version of the Sportello API answering.", extensions=permitted(EVERYONE)
    )
    def api_version(self) -> str:
        return API_VERSION
