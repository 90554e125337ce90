"""What the running application holds for its whole life: settings and the engine."""

from __future__ import annotations

import dataclasses

from sqlalchemy.ext.asyncio import AsyncEngine

from sportello.settings import Settings


@dataclasses.dataclass(frozen=True)
class AppState:
    settings: Settings
    engine: AsyncEngine
