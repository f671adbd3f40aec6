"""Who am I, and which platforms are connected."""

from __future__ import annotations

import strawberry

from credithub.db import platforms as db_platforms
from schema.clients import Platform, Viewer
from schema.context import Info


@strawberry.type
class ClientQueries:
    @strawberry.field(description="The client this request authenticated as.")
    def viewer(self, info: Info) -> Viewer:
        return Viewer.from_domain(info.context.viewer)

    @strawberry.field(description="Every platform connected to the hub.")
    async def platforms(self, info: Info) -> list[Platform]:
        return [Platform.from_domain(platform) for platform in await db_platforms.list_all(info.context.deps.pool)]
