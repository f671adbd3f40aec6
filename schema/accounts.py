"""A subject's accounts on platforms."""

from __future__ import annotations

import datetime as dt

import strawberry

from credithub.domain import ids, subjects

AccountStatus = strawberry.enum(subjects.AccountStatus, description="State of an account on its platform.")


@strawberry.type(description="A subject's account on one platform; (platform, externalId) is unique.")
class Account:
    id: strawberry.ID
    platform: str
    external_id: str
    status: AccountStatus  # type: ignore[valid-type]
    display_name: str | None
    opened_at: dt.datetime | None

    @classmethod
    def from_domain(cls, account: subjects.Account) -> Account:
        return cls(
            id=strawberry.ID(ids.format_id(ids.IdKind.ACCOUNT, account.id)),
            platform=account.platform,
            external_id=account.external_id,
            status=account.status,
            display_name=account.display_name,
            opened_at=account.opened_at,
        )
