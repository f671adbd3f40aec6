"""The audit trail, for regulators."""

from __future__ import annotations

import strawberry

from credithub.domain import audit, pages
from schema.audit import (
    AUDIT_READ_CURSOR_SCOPE,
    AUDIT_WRITE_CURSOR_SCOPE,
    AuditReadConnection,
    AuditReadFilter,
    AuditWriteConnection,
    AuditWriteFilter,
)
from schema.context import Info, NewestFirstPageKey


@strawberry.type
class AuditQueries:
    @strawberry.field(description="Every read of credit information, newest first (regulators only).")
    async def audit_reads(
        self,
        info: Info,
        first: int | None = pages.DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: AuditReadFilter | None = None,
    ) -> AuditReadConnection:
        audit.check_may_browse(info.context.viewer)
        where = (filter or AuditReadFilter()).to_key()
        key = NewestFirstPageKey(
            where, pages.decode_int_cursor(AUDIT_READ_CURSOR_SCOPE, after), pages.parse_first(first)
        )
        page = await info.context.loaders.audit_read_page.load(key)
        return AuditReadConnection.from_page(page, where, has_previous=after is not None)

    @strawberry.field(description="Every write with its actor and the entity before and after (regulators only).")
    async def audit_writes(
        self,
        info: Info,
        first: int | None = pages.DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: AuditWriteFilter | None = None,
    ) -> AuditWriteConnection:
        audit.check_may_browse(info.context.viewer)
        where = (filter or AuditWriteFilter()).to_key()
        key = NewestFirstPageKey(
            where, pages.decode_int_cursor(AUDIT_WRITE_CURSOR_SCOPE, after), pages.parse_first(first)
        )
        page = await info.context.loaders.audit_write_page.load(key)
        return AuditWriteConnection.from_page(page, where, has_previous=after is not None)
