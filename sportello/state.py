"""What the running application holds for its whole life: settings and the engine."""

from __future__ import annotations

import dataclasses

from sqlalchemy.ext.asyncio import AsyncEngine

from sportello.base.settings import Settings
from sportello.turns import Admission


@dataclasses.dataclass(frozen=True)
class AppState:
    settings: Settings
    engine: AsyncEngine
    # Turns to execute a GraphQL operation (settings.concurrent_requests at once, then FIFO,
    # each principal its share) and this process's count of anonymous requests per address.
    admission: Admission
