"""Who plays which part in the demo's due-process stories.

The demo world (`credithub.demo.world`) holds facts; the stories — a listing proposed, defended,
decided, dropped, ended, expired, reviewed after its record was revoked; an objection upheld
with a correction — are then acted out through the services (`credithub.services.demo`), so
every notice, defence, audit row and exit review is the one the hub itself would write.

Choosing the cast is pure: the same world and instant give the same cast. Each part is a
merchant with a serious record from a platform where it has an account, on no list, under no
objection, whose legal representative represents nobody else (a listing then reaches no other
subject through a relation), and not one of the companies the README and the guides name, so
their answers stay as documented.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Final

from credithub.db.world import RecordRow
from credithub.demo.world import SHOWCASE_CODE, World
from credithub.domain.records import RecordStatus, Severity, SourceType
from credithub.domain.subjects import SubjectKind

# The README's batch example answers D, C and A for these; no story may touch them.
README_CODES: Final = frozenset({"91320106MAX9W2CK58", "91310115MACRC65R8X", "92440305MAGJATE14E"})
DOCUMENTED_CODES: Final = README_CODES | {SHOWCASE_CODE}  # the README's and the guides' companies
DAY: Final = dt.timedelta(days=1)
SERIOUS_WINDOW: Final = dt.timedelta(days=365 * 3)  # the longest publicity window of a serious record


@dataclass(frozen=True, slots=True)
class Part:
    """A merchant and the serious platform record a listing of it rests on."""

    subject_index: int
    record_index: int
    platform: str  # the record's source, where the subject has an account: it proposes the listing


@dataclass(frozen=True, slots=True)
class DemoCast:
    expired: Part  # in force a year ago; its validUntil has passed
    exited: Part  # in force, then ended by its authority
    dropped: Part  # proposed, defended, dropped
    in_force: Part  # in force now (on ShopMall: the platform guide reports executing its flags)
    reviewed: Part  # in force; its record was then revoked by its platform: an exit review is open
    awaiting: Part  # proposed, defended, defence deadline passed: waiting for a decision
    defending: Part  # proposed two days ago, defence window open: the demo `subject` client is this merchant
    proposable: Part  # left alone on ShopMall: the platform guide proposes it
    repairable_record: int  # the defending merchant's older general record, open to credit repair
    corrected_record: int  # its open objection is upheld with a correction (SERIOUS → GENERAL)


@dataclass(frozen=True, slots=True)
class _Need:
    """What a part's record must satisfy: occurred between `oldest` and `newest` days ago."""

    oldest: int
    newest: int
    platform: str | None = None


def choose_cast(world: World, now: dt.datetime) -> DemoCast:
    """The first suitable merchant for each part, in a fixed order (most demanding first)."""
    candidates = _candidates(world)
    taken: set[int] = set()

    def pick(need: _Need, *, extra: bool = False) -> Part:
        for subject_index, record_indices in candidates.items():
            if subject_index in taken:
                continue
            if extra and _repairable(world, subject_index, record_indices, now) is None:
                continue
            for record_index in record_indices:
                row = world.records[record_index]
                age = now - row.occurred_at
                if need.platform not in (None, row.source_platform):
                    continue
                if need.newest * DAY <= age <= need.oldest * DAY and row.reported_at <= now - need.newest * DAY:
                    taken.add(subject_index)
                    assert row.source_platform is not None
                    return Part(subject_index, record_index, row.source_platform)
        raise LookupError(f"the demo world has no merchant for {need}")

    # The listings that come into force now end within a year of the docs' dates, so their
    # records must stay in their window at least that long: occurred within the last 1.5 years.
    defending = pick(_Need(oldest=365, newest=10), extra=True)
    repairable = _repairable(world, defending.subject_index, candidates[defending.subject_index], now)
    assert repairable is not None
    cast = DemoCast(
        expired=pick(_Need(oldest=900, newest=420)),
        exited=pick(_Need(oldest=700, newest=220)),
        dropped=pick(_Need(oldest=500, newest=80)),
        in_force=pick(_Need(oldest=500, newest=110, platform="shopmall")),
        reviewed=pick(_Need(oldest=500, newest=140)),
        awaiting=pick(_Need(oldest=365, newest=60)),
        defending=defending,
        proposable=pick(_Need(oldest=365, newest=10, platform="shopmall")),
        repairable_record=repairable,
        corrected_record=_objection_to_correct(world, taken, now),
    )
    return cast


def _candidates(world: World) -> dict[int, list[int]]:
    """Merchants fit for a story, each with its serious ACTIVE platform records, in world order."""
    fit = _fit_merchants(world)
    platforms = _platforms_of(world)
    found: dict[int, list[int]] = {}
    for index, row in enumerate(world.records):
        if row.subject_index in fit and _may_ground_a_listing(row, platforms.get(row.subject_index, set())):
            found.setdefault(row.subject_index, []).append(index)
    return dict(sorted(found.items()))


def _fit_merchants(world: World) -> set[int]:
    """Merchants on no list, under no objection, whose legal representative represents nobody
    else, and that the docs do not name."""
    listed = {entry.subject_index for entry in world.entries}
    contested = {world.records[row.record_index].subject_index for row in world.objections}
    return {
        index
        for index in _represented_alone(world)
        if world.subjects[index].kind is SubjectKind.MERCHANT
        and world.subjects[index].credit_code not in DOCUMENTED_CODES
        and index not in listed | contested
    }


def _represented_alone(world: World) -> set[int]:
    """Subjects whose legal representative represents no other subject and streams nowhere."""
    represented = Counter(row.from_index for row in world.representations)
    streaming = {subject.person_index for subject in world.subjects if subject.kind is SubjectKind.ANCHOR}
    return {
        row.subject_index
        for row in world.representations
        if represented[row.from_index] == 1 and row.from_index not in streaming
    }


def _platforms_of(world: World) -> dict[int, set[str]]:
    """The platforms each subject has an account on."""
    platforms: dict[int, set[str]] = {}
    for account in world.accounts:
        platforms.setdefault(account.subject_index, set()).add(account.platform)
    return platforms


def _may_ground_a_listing(row: RecordRow, platforms: set[str]) -> bool:
    """A serious ACTIVE record from a platform the subject has an account on (that platform proposes)."""
    return (
        row.source_type is SourceType.PLATFORM
        and row.severity is Severity.SERIOUS
        and row.status is RecordStatus.ACTIVE
        and row.source_platform in platforms
    )


def _repairable(world: World, subject_index: int, basis: list[int], now: dt.datetime) -> int | None:
    """Another ACTIVE general record of the subject, past the three months before repair opens."""
    for index, row in enumerate(world.records):
        if (
            row.subject_index == subject_index
            and index not in basis
            and row.severity is Severity.GENERAL
            and row.status is RecordStatus.ACTIVE
            and dt.timedelta(days=120) <= now - row.occurred_at <= dt.timedelta(days=300)
        ):
            return index
    return None


def _objection_to_correct(world: World, taken: set[int], now: dt.datetime) -> int:
    """A serious platform record in its window, under an objection filed at least three weeks ago."""
    listed = {entry.subject_index for entry in world.entries}
    for row in world.objections:
        record = world.records[row.record_index]
        subject = world.subjects[record.subject_index]
        if (
            record.source_type is SourceType.PLATFORM
            and record.severity is Severity.SERIOUS
            and record.subject_index not in taken | listed
            and subject.credit_code not in DOCUMENTED_CODES
            and row.filed_at <= now - 21 * DAY
            and now - record.occurred_at <= 900 * DAY  # still in its window
        ):
            return row.record_index
    raise LookupError("the demo world has no open objection against a serious platform record")
