"""The event of the `creditStatusChanged` subscription."""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.context import Info
from schema.credit_status import CreditStatus
from schema.subjects import Subject, read_credit_status


@strawberry.type(
    description="A subject whose credit standing changed as you see it: its tier, a list membership, "
    "or a flag that appeared, was lifted, or started or stopped being enforced."
)
class CreditStatusChange:
    subject: Subject
    changed_at: dt.datetime = strawberry.field(description="When the hub stored the new status.")

    @strawberry.field(description="The subject's status now, as `Subject.creditStatus` shows it.")
    async def credit_status(self, info: Info) -> CreditStatus:
        return await read_credit_status(info, self.subject, None)
