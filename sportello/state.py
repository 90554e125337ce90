"""What the running application holds for its whole life: settings, the engine and the
connections it keeps."""

from __future__ import annotations

import dataclasses

from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import RequestConnections, StandingConnections
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
    # The requests' connections, kept between requests (db/engine.py).
    connections: RequestConnections

    async def close(self) -> None:
        """Close the kept connections, then the engine's."""
        await self.standing.close()
        await self.connections.close()
        await self.engine.dispose()
