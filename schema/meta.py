"""Fields about the API itself, readable by every audience."""

from __future__ import annotations

from importlib.metadata import version

import strawberry

API_VERSION = version("sportello")


@strawberry.type
class MetaQuery:
    @strawberry.field(description="The version of the Sportello API answering.")
    def api_version(self) -> str:
        return API_VERSION
