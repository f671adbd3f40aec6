"""Who is asking, and the platforms of the hub."""

from __future__ import annotations

from typing import Annotated, Final

import strawberry

from credithub.domain import clients, ids, platforms
from schema.errors import InvalidIdError, NotFoundError, PermissionDeniedError

Role = clients.Role
strawberry.enum(Role, description="What a client may do.")


@strawberry.type(description="The client this request authenticated as.")
class Viewer:
    name: str
    role: Role
    platform: str | None = strawberry.field(description="The platform a `platform` client acts for.")
    authority: str | None = strawberry.field(
        description="The authority a `regulator` client designates for: it decides only that authority's list "
        "entries and exit reviews (null: bound to none, it reads only)."
    )
    subject_id: strawberry.ID | None = strawberry.field(
        description="The subject a `subject` client speaks for: the only subject it sees."
    )
    actor: str = strawberry.field(
        description="How this client is named as an actor (proposedBy, decidedBy, filedBy…): nobody decides a "
        "listing it proposed."
    )

    @classmethod
    def from_domain(cls, client: clients.Client) -> Viewer:
        subject_id = ids.format_id(ids.IdKind.SUBJECT, client.subject_id) if client.subject_id is not None else None
        return cls(
            name=client.name,
            role=client.role,
            platform=client.platform,
            authority=client.authority,
            subject_id=strawberry.ID(subject_id) if subject_id is not None else None,
            actor=client.label,
        )


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


# Beside each result union, its error members: from_domain's `allowed`, and (errors.catchable)
# what its resolver catches. tests/unit/test_result_unions.py holds each equal to its union.
REVOKE_CLIENT_ERRORS: Final = (InvalidIdError, NotFoundError, PermissionDeniedError)
RevokeClientResult = Annotated[
    RevokeClientSuccess | InvalidIdError | NotFoundError | PermissionDeniedError,
    strawberry.union("RevokeClientResult"),
]
