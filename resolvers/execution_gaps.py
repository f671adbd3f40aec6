"""`executionGaps`: for oversight across the hub, and for a platform about itself."""

from __future__ import annotations

import strawberry

from credithub.domain import pages, visibility
from credithub.domain.clients import Role
from credithub.services import execution_gaps
from schema.context import Info
from schema.execution_gaps import GAP_CURSOR_SCOPE, ExecutionGap, ExecutionGapConnection, ExecutionGapEdge
from schema.pagination import PageInfo


@strawberry.type
class ExecutionGapQueries:
    @strawberry.field(
        description="Mandatory flags pushed and not reported applied within CREDITHUB_EXECUTION_DAYS, and relations "
        "made in breach of a flag, oldest first. Regulators, admins and dashboards see every platform's (or "
        "`platform`'s); a platform client sees its own."
    )
    async def execution_gaps(
        self,
        info: Info,
        platform: str | None = None,
        first: int | None = pages.DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> ExecutionGapConnection:
        viewer = info.context.viewer
        if viewer.role is Role.PLATFORM:
            platform = viewer.platform
        else:
            visibility.check_may_oversee(viewer)
        size = pages.parse_first(first)
        start = pages.decode_int_cursor(GAP_CURSOR_SCOPE, after) or 0
        gaps = await execution_gaps.find_gaps(info.context.reading, platform=platform)
        chosen = gaps[start : start + size]
        cursors = [pages.encode_cursor(GAP_CURSOR_SCOPE, start + offset + 1) for offset in range(len(chosen))]
        return ExecutionGapConnection(
            edges=[
                ExecutionGapEdge(cursor=c, node=ExecutionGap.from_domain(g))
                for c, g in zip(cursors, chosen, strict=True)
            ],
            page_info=PageInfo.of(cursors, has_next=start + size < len(gaps), has_previous=after is not None),
            total_count=len(gaps),
        )
