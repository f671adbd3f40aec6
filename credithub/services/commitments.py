"""Public credit commitments: made, kept with an audit row, read with where each stands."""

from __future__ import annotations

import datetime as dt

from credithub.db import commitments as db_commitments
from credithub.db import subjects as db_subjects
from credithub.db.pool import Executor, transaction
from credithub.domain import commitments
from credithub.domain.clients import Client
from credithub.domain.errors import UnknownSubject
from credithub.domain.ids import IdKind, format_id
from credithub.services import audit
from credithub.services.ports import Deps


async def make_commitment(
    deps: Deps,
    actor: Client,
    subject_id: int,
    *,
    content: str,
    purpose: str | None,
    term_from: dt.datetime | None,
    term_until: dt.datetime,
) -> commitments.Standing:
    """`makeCommitment`: the subject's promise, public from now on."""
    commitments.check_may_make(actor, subject_id)
    now = deps.clock.now()
    new = commitments.parse_commitment(subject_id, content, purpose, term_from, term_until, now)
    async with transaction(deps.pool) as conn:
        if not await db_subjects.get_many(conn, [subject_id]):
            raise UnknownSubject(format_id(IdKind.SUBJECT, subject_id))
        made = await db_commitments.insert(conn, new, by=actor.label, at=now)
        await audit.write(
            conn,
            at=now,
            actor=actor.label,
            action="commit",
            entity="commitment",
            entity_id=made.id,
            subject_id=subject_id,
            before=None,
            after=made,
        )
    return commitments.compute_standing(made, [], now)


async def standings_of_subjects(
    conn: Executor, subject_ids: list[int], at: dt.datetime
) -> dict[int, list[commitments.Standing]]:
    """Every commitment of these subjects, newest first, with where it stands at `at`."""
    made = await db_commitments.list_for_subjects(conn, subject_ids)
    with_any = [subject_id for subject_id, found in made.items() if found]
    records = await db_commitments.list_breach_candidates(conn, with_any) if with_any else {}
    return {
        subject_id: [commitments.compute_standing(c, records.get(subject_id, []), at) for c in found]
        for subject_id, found in made.items()
    }
