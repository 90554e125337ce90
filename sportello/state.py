"""What the running application holds for its whole life: settings, the engine and its standing
connections."""

from __future__ import annotations

import dataclasses

from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import StandingConnections
from sportello.base.settings import Settings
from sportello.turns import Admission


@dataclasses.dataclass(frozen=True)
class AppState:
    settings: Settings
    engine: AsyncEngine
    # Turns to execute a GraphQL operation (settings.concurrent_requests at once, then FIFO,
    # each principal its share) and this process's count of anonymous requests per address.
    admission: Admission
    # The budgets' upserts, each committed on its own (db/engine.py).
    standing: StandingConnections

    async def close(self) -> None:
        """Return the standing connections, then close the engine's connections."""
        await self.standing.close()
        await self.engine.dispose()
