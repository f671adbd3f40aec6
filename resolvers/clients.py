"""Who am I, and which platforms are connected."""

from __future__ import annotations

import strawberry

from credithub.db import platforms as db_platforms
from credithub.domain import ids
from credithub.services import clients
from schema import errors
from schema.clients import REVOKE_CLIENT_ERRORS, Platform, RevokeClientResult, RevokeClientSuccess, Viewer
from schema.context import Info


@strawberry.type
class ClientQueries:
    @strawberry.field(description="The client this request authenticated as.")
    def viewer(self, info: Info) -> Viewer:
        return Viewer.from_domain(info.context.viewer)

    @strawberry.field(description="Every platform connected to the hub.")
    async def platforms(self, info: Info) -> list[Platform]:
        return [Platform.from_domain(platform) for platform in await db_platforms.list_all(info.context.reading.pool)]


@strawberry.type
class ClientMutations:
    @strawberry.mutation(
        description="Revoke a client's token (admins): every instance refuses it within a second, over HTTP "
        "and on open WebSockets, whose subscriptions end."
    )
    async def revoke_client(self, info: Info, client_id: strawberry.ID) -> RevokeClientResult:
        try:
            revoked = ids.parse_id(ids.IdKind.CLIENT, client_id, field_name="clientId")
            await clients.revoke_as(info.context.deps, info.context.viewer, revoked)
        except errors.catchable(REVOKE_CLIENT_ERRORS) as exc:
            return errors.from_domain(exc, allowed=REVOKE_CLIENT_ERRORS)
        return RevokeClientSuccess(client_id=client_id)
