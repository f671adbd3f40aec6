"""Pushing credit status changes to platforms: what changed for whom, the message that
says so, and when to try again.

A platform is told about a subject it has an account for whenever the subject's tier or the
flags that platform sees change (a flag appears, is lifted, or stops or starts being enforced).
The message is absolute — the whole current state, with what changed — so a platform that gets
it twice, or late, converges on the same state; `version` orders messages about one subject.
It is one typed value, `StatusPush`: the outbox builds and stores it (`encode_push`), and every
adapter reads it back (`read_push`) to send it in its platform's shape.

Delivery is at-least-once with an idempotency key per message. Failed attempts are retried on a
schedule from configuration (minutes to hours) with jitter, then the message is parked as DEAD
for an operator to replay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from credithub.domain import codec
from credithub.domain.errors import InvalidValue
from credithub.domain.flags import Flag
from credithub.domain.measures import MeasureKind, Scope, Tier
from credithub.domain.read_models import StatusView
from credithub.domain.records import LegalBasisLevel
from credithub.domain.subjects import RelationKind, SubjectKind

MESSAGE_TYPE: Final = "credit.status_changed"
UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class ChangeKind(StrEnum):
    TIER = "TIER"
    FLAG_ADDED = "FLAG_ADDED"
    FLAG_LIFTED = "FLAG_LIFTED"
    FLAG_ENFORCEMENT = "FLAG_ENFORCEMENT"  # a flag stopped (objection) or resumed being enforced


@dataclass(frozen=True, slots=True)
class Change:
    """What moved: a tier (`measure` None) or a measure's flag, from what to what."""

    kind: ChangeKind
    measure: str | None
    before: str | None  # a tier, or ENFORCED / NOT_ENFORCED; None when there was none
    after: str | None


@dataclass(frozen=True, slots=True)
class Recipient:
    """A platform to tell, and the subject's accounts there (only those: never other platforms')."""

    platform: str
    account_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Pushed:
    """The facts of a subject a status message names."""

    subject_id: int
    kind: SubjectKind
    credit_code: str | None


# ---- the push contract: docs/schemas/push/credit.status_changed.json -------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PushedFlag:
    """A flag as a push shows it: what the platform applies, why, and since when."""

    measure: str
    kind: MeasureKind
    mandatory: bool
    enforced: bool  # false while every reason for it is under objection
    not_enforced_reason: str | None
    scope: Scope
    legal_basis: str
    legal_basis_level: LegalBasisLevel | None = None  # None in messages queued before it was pushed
    source_platform: str | None
    source_authority: str | None
    via: RelationKind | None  # the relation it propagated along, one hop
    effective_from: dt.datetime
    effective_until: dt.datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusPush:
    """The `data` of a credit.status_changed message: a subject's whole state as one platform
    sees it, and what changed since the previous message. Its JSON (`PUSH`) is the field names
    as keys, in this order, except `Change`'s `before`/`after`, which are `from`/`to`. Fields
    with a default were added later: a message queued before them reads back without them."""

    subject_id: str  # sub_<id>, as GraphQL's Subject.id
    kind: SubjectKind
    credit_code: str | None  # None for anchors
    accounts: tuple[str, ...]  # the subject's accounts on this platform only
    tier: Tier
    on_serious_dishonest_list: bool
    on_joint_constraint_list: bool | None = None  # None in messages queued before it was pushed
    flags: tuple[PushedFlag, ...]  # every flag in force as this platform sees it
    changed: tuple[Change, ...]
    as_of: dt.datetime
    version: int | None = None  # the message id, given when the outbox queues the message


PUSH: Final = codec.Codec({Change: codec.Shape(keys={"before": "from", "after": "to"})})


def _measures(flags: Sequence[Flag]) -> dict[str, bool]:
    """Measure → enforced (a measure with several reasons is enforced if any reason is)."""
    found: dict[str, bool] = {}
    for flag in flags:
        found[flag.measure] = found.get(flag.measure, False) or flag.enforced
    return found


def compute_changes(before: StatusView | None, after: StatusView) -> tuple[Change, ...]:
    """What changed between two views of a status by one viewer (a platform, or clients acting for
    no platform; nothing: no message). No stored status before counts as tier unknown and no
    flags."""
    changes: list[Change] = []
    old_tier = before.tier.value if before is not None else None
    if old_tier != after.tier.value:
        changes.append(Change(ChangeKind.TIER, None, old_tier, after.tier.value))
    old = _measures(before.flags) if before is not None else {}
    new = _measures(after.flags)
    for measure in sorted(old.keys() | new.keys()):
        if measure not in old:
            changes.append(Change(ChangeKind.FLAG_ADDED, measure, None, _enforcement(new[measure])))
        elif measure not in new:
            changes.append(Change(ChangeKind.FLAG_LIFTED, measure, _enforcement(old[measure]), None))
        elif old[measure] != new[measure]:
            changes.append(
                Change(ChangeKind.FLAG_ENFORCEMENT, measure, _enforcement(old[measure]), _enforcement(new[measure]))
            )
    return tuple(changes)


def _enforcement(enforced: bool) -> str:
    return "ENFORCED" if enforced else "NOT_ENFORCED"


def compute_message(subject: Pushed, view: StatusView, recipient: Recipient, changes: Sequence[Change]) -> StatusPush:
    """The credit.status_changed message for one platform, from the status as that platform sees
    it, without its `version`: the outbox gives it one when it queues it (the message id, growing
    with every message about a subject)."""
    return StatusPush(
        subject_id=f"sub_{subject.subject_id}",
        kind=subject.kind,
        credit_code=subject.credit_code,
        accounts=recipient.account_ids,
        tier=view.tier,
        on_serious_dishonest_list=view.on_serious_dishonest_list,
        on_joint_constraint_list=view.on_joint_constraint_list,
        flags=tuple(_pushed_flag(flag) for flag in view.flags),
        changed=tuple(changes),
        as_of=view.as_of,
    )


def _pushed_flag(flag: Flag) -> PushedFlag:
    return PushedFlag(
        measure=flag.measure,
        kind=flag.kind,
        mandatory=flag.mandatory,
        enforced=flag.enforced,
        not_enforced_reason=flag.not_enforced_reason,
        scope=flag.scope,
        legal_basis=flag.legal_basis.text,
        legal_basis_level=flag.legal_basis_level,
        source_platform=flag.source_platform,
        source_authority=flag.source_authority,
        via=flag.via.relation if flag.via else None,
        effective_from=flag.effective_from,
        effective_until=flag.effective_until,
    )


def encode_push(push: StatusPush) -> dict[str, Any]:
    """The message as the outbox stores it and a standard platform receives it as `data`."""
    return PUSH.encoder(StatusPush)(push)  # type: ignore[no-any-return]


def read_push(message: Message) -> StatusPush:
    """The credit.status_changed message an outbox row holds."""
    if message.message_type != MESSAGE_TYPE:
        raise ValueError(f"message {message.id} is {message.message_type}, not {MESSAGE_TYPE}")
    return PUSH.decode(StatusPush, message.payload)


# ---- retries ----------------------------------------------------------------------------------


def parse_schedule(raw: str) -> tuple[dt.timedelta, ...]:
    """`"30s,2m,10m,1h"` → the waits before the 2nd, 3rd, … attempt. Its length is the number of
    retries: after the last one fails the message is DEAD. (The retry rule is `retries.RetryPolicy`.)"""
    waits = []
    for item in (part.strip() for part in raw.split(",")):
        number, unit = item[:-1], item[-1:]
        if unit not in UNITS or not number.isdigit() or int(number) <= 0:
            raise InvalidValue(f"push schedule entries look like 30s, 5m, 2h or 1d; got {item!r}", field="schedule")
        waits.append(dt.timedelta(seconds=int(number) * UNITS[unit]))
    if not waits:
        raise InvalidValue("the push schedule needs at least one wait", field="schedule")
    return tuple(waits)


def compute_throttle_wait(retry_after: dt.timedelta | None, schedule: Sequence[dt.timedelta]) -> dt.timedelta:
    """A platform that says 429 or 503 is asked again when it says (within reason), or after the
    first scheduled wait when it does not say."""
    fallback = schedule[0]
    if retry_after is None or retry_after <= dt.timedelta(0):
        return fallback
    return min(retry_after, schedule[-1])


@dataclass(frozen=True, slots=True)
class Message:
    """An outbox row as the dispatcher sees it."""

    id: int
    platform: str
    subject_id: int
    payload: Mapping[str, Any]
    created_at: dt.datetime
    attempts: int  # this one included
    throttled: int = 0  # attempts the platform answered 429/503 to (given back, not counted above)
    message_type: str = MESSAGE_TYPE  # credit.status_changed, or notice.created (a notice to the subject)

    @property
    def idempotency_key(self) -> str:
        """The same on every attempt: the platform keeps the first delivery and drops repeats."""
        return f"msg_{self.id}"
