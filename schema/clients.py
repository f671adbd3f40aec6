"""Who is asking, and the platforms of the hub."""

from __future__ import annotations

from typing import Annotated

import strawberry

from credithub.domain import clients, platforms
from schema.errors import InvalidIdError, NotFoundError, PermissionDeniedError

Role = strawberry.enum(clients.Role, description="What a client may do.")


@strawberry.type(description="The client this request authenticated as.")
class Viewer:
    name: str
    role: Role  # type: ignore[valid-type]
    platform: str | None = strawberry.field(description="The platform a `platform` client acts for.")

    @classmethod
    def from_domain(cls, client: clients.Client) -> Viewer:
        return cls(name=client.name, role=client.role, platform=client.platform)


@strawberry.type(description="A platform company connected to the hub.")
class Platform:
    code: str
    name: str
    family: str

    @classmethod
    def from_domain(cls, platform: platforms.Platform) -> Platform:
        return cls(code=platform.code, name=platform.name, family=platform.family)


@strawberry.type(description="The client's token is revoked: every instance refuses it from now on.")
class RevokeClientSuccess:
    client_id: strawberry.ID


RevokeClientResult = Annotated[
    RevokeClientSuccess | InvalidIdError | NotFoundError | PermissionDeniedError,
    strawberry.union("RevokeClientResult"),
]
