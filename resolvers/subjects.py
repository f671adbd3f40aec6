"""Finding subjects: by id, credit code, platform account, or as a filtered list."""

from __future__ import annotations

import dataclasses

import strawberry

from credithub.domain import identifiers, ids, pages, platforms, visibility
from schema.context import Info, SubjectPageKey
from schema.subjects import SUBJECT_CURSOR_SCOPE, Subject, SubjectConnection, SubjectFilter, subject_from_domain


@strawberry.type
class SubjectQueries:
    @strawberry.field(description="A subject by its hub id (`sub_…`).")
    async def subject(self, info: Info, id: strawberry.ID) -> Subject | None:
        found = await info.context.loaders.subject.load(ids.parse_id(ids.IdKind.SUBJECT, id))
        return subject_from_domain(found) if found is not None else None

    @strawberry.field(
        description="A merchant or MCN agency by its Unified Social Credit Code. An invalid code is "
        "an error that names the failed check; an unknown valid code is null."
    )
    async def subject_by_credit_code(self, info: Info, credit_code: str) -> Subject | None:
        code = identifiers.parse_credit_code(credit_code, field_name="creditCode")
        found = await info.context.loaders.subject_by_credit_code.load(code.value)
        return subject_from_domain(found) if found is not None else None

    @strawberry.field(description="The subject holding an account on a platform.")
    async def subject_by_account(self, info: Info, platform: str, external_id: str) -> Subject | None:
        key = (platforms.parse_platform_code(platform), external_id.strip())
        found = await info.context.loaders.subject_by_account.load(key)
        return subject_from_domain(found) if found is not None else None

    @strawberry.field(
        description="Subjects in registration order, filtered. A platform lists only subjects that hold an account "
        "on it; a subject only itself. Every listing is audited like a lookup."
    )
    async def subjects(
        self,
        info: Info,
        first: int | None = pages.DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: SubjectFilter | None = None,
    ) -> SubjectConnection:
        scope = visibility.compute_enumeration_scope(info.context.viewer)
        asked = (filter or SubjectFilter()).to_domain(info.context.now())
        where = dataclasses.replace(asked, visible_to_platform=scope.platform, only_subject=scope.subject_id)
        key = SubjectPageKey(where, pages.decode_int_cursor(SUBJECT_CURSOR_SCOPE, after), pages.parse_first(first))
        page = await info.context.loaders.subject_page.load(key)
        info.context.note_reads("subjects", (subject.id for subject in page.items))
        return SubjectConnection.from_page(page, where, has_previous=after is not None)
