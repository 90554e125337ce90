"""What the policy table and the row scope both speak of: a scope's shape, and the error of a
table the scope has no rule for. Apart so that the policy table (authz/policy.py) need not
import the scope that applies it (authz/scope.py)."""

from __future__ import annotations

import dataclasses

from authz.principals import Audience


class ScopeError(LookupError):
    """A table was queried that the row scope has no rule for; add one to authz/policy.py."""


@dataclasses.dataclass(frozen=True)
class ScopeShape:
    """What the text of a scoped statement depends on: never an id, so statements built for
    one shape serve every request of that shape."""

    audience: Audience
    restricted: bool
    flags: frozenset[str] = frozenset()
