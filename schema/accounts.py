"""A subject's accounts on platforms."""

from __future__ import annotations

import datetime as dt

import strawberry

from credithub.domain import ids, subjects
from credithub.domain.read_models import AccountView

AccountStatus = subjects.AccountStatus
strawberry.enum(AccountStatus, description="State of an account on its platform.")


_DETAILS = "Null when another platform asks: platforms see each other's accounts only as platform and status."


@strawberry.type(description="A subject's account on one platform; (platform, externalId) is unique.")
class Account:
    id: strawberry.ID
    platform: str
    status: AccountStatus
    external_id: str | None = strawberry.field(description=f"The platform's own id of the account. {_DETAILS}")
    display_name: str | None = strawberry.field(description=_DETAILS)
    opened_at: dt.datetime | None = strawberry.field(description=_DETAILS)

    @classmethod
    def from_domain(cls, account: AccountView) -> Account:
        """`account` as the viewer is shown it: details it may not see are None already."""
        return cls(
            id=strawberry.ID(ids.format_id(ids.IdKind.ACCOUNT, account.id)),
            platform=account.platform,
            status=account.status,
            external_id=account.external_id,
            display_name=account.display_name,
            opened_at=account.opened_at,
        )
