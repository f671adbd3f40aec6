"""The live feed of credit status changes behind the `creditStatusChanged` subscription.

When the status store takes a newly computed status, it announces the subjects whose standing
changed — tier, list membership, or a flag appearing, being lifted, or starting or stopping being
enforced — and for whom: a flag scoped to its source platform changes nothing for the others,
so they are not told. The announcement carries no credit information, only who may look; a
subscriber reads the status itself, as it sees it, when the announcement reaches it.

Announcements travel in PostgreSQL NOTIFY payloads (at most 8,000 bytes each), several to a
payload, as compact JSON: `[[subject_id, facts_version, at_ms, for_all, for_other_platforms,
{platform: changed}], …]`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from credithub.domain.deliveries import compute_changes
from credithub.domain.flags import CreditStatus
from credithub.domain.measures import Scope, Tier
from credithub.domain.read_models import StatusViewing

PAYLOAD_LIMIT: Final = 7900  # PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more
NO_PLATFORM: Final = ""  # a platform code no flag can name: "every platform not named"


@dataclass(frozen=True, slots=True)
class StatusChanged:
    """A subject's standing changed at `at`; its status is stored under `facts_version`."""

    subject_id: int
    facts_version: int
    at: dt.datetime
    for_all: bool  # changed as clients acting for no platform see it (regulators, dashboards)
    for_other_platforms: bool  # changed as a platform not in `platforms` sees it
    platforms: Mapping[str, bool]  # platforms with flags scoped to them: whether it changed for them

    def visible_to(self, platform: str | None) -> bool:
        """Whether a client acting for `platform` (None: for no platform) sees a change."""
        if platform is None:
            return self.for_all
        return self.platforms.get(platform, self.for_other_platforms)


def compute_status_changed(
    before: CreditStatus | None, after: CreditStatus, facts_version: int, at: dt.datetime, view: StatusViewing
) -> StatusChanged | None:
    """The announcement of `after` replacing `before`, or None when nobody sees a difference:
    compared as `view` shows each audience a status.

    A subject's first stored status is announced only when it is not the clean one (tier A,
    no flags, on no list): filling the store for the first time is not news."""
    if before is None and _is_clean(after):
        return None
    platforms = {platform: _changed(before, after, platform, view) for platform in _scoped_platforms(before, after)}
    announced = StatusChanged(
        subject_id=after.subject_id,
        facts_version=facts_version,
        at=at,
        for_all=_changed(before, after, None, view),
        for_other_platforms=_changed(before, after, NO_PLATFORM, view),
        platforms=platforms,
    )
    return announced if _seen_by_anyone(announced) else None


def _scoped_platforms(before: CreditStatus | None, after: CreditStatus) -> list[str]:
    """The platforms that flags of either status are scoped to, sorted."""
    return sorted(
        {
            flag.source_platform
            for status in (before, after)
            if status is not None
            for flag in status.flags
            if flag.scope is Scope.ORIGIN_PLATFORM and flag.source_platform
        }
    )


def _seen_by_anyone(announced: StatusChanged) -> bool:
    return announced.for_all or announced.for_other_platforms or any(announced.platforms.values())


def _is_clean(status: CreditStatus) -> bool:
    return (
        status.tier is Tier.A
        and not status.flags
        and not status.on_serious_dishonest_list
        and not status.on_joint_constraint_list
    )


def _changed(before: CreditStatus | None, after: CreditStatus, platform: str | None, view: StatusViewing) -> bool:
    if before is not None and (
        before.on_serious_dishonest_list != after.on_serious_dishonest_list
        or before.on_joint_constraint_list != after.on_joint_constraint_list
        or before.on_red_list != after.on_red_list
    ):
        return True
    return bool(compute_changes(view(before, platform) if before is not None else None, view(after, platform)))


def encode_payloads(announcements: Iterable[StatusChanged]) -> Iterator[str]:
    """NOTIFY payloads, each under PAYLOAD_LIMIT bytes, holding the announcements in order."""
    batch: list[str] = []
    size = 2
    for item in announcements:
        encoded = json.dumps(_as_row(item), separators=(",", ":"), ensure_ascii=False)
        length = len(encoded.encode()) + 1
        if batch and size + length > PAYLOAD_LIMIT:
            yield "[" + ",".join(batch) + "]"
            batch, size = [], 2
        batch.append(encoded)
        size += length
    if batch:
        yield "[" + ",".join(batch) + "]"


def decode_payload(payload: str) -> list[StatusChanged]:
    """The announcements in one payload; a payload that is not ours raises ValueError."""
    try:
        rows = json.loads(payload)
        return [_from_row(row) for row in rows]
    except (TypeError, KeyError, IndexError, json.JSONDecodeError) as exc:
        raise ValueError(f"not a status feed payload: {payload[:80]!r}") from exc


def _as_row(item: StatusChanged) -> list[Any]:
    at_ms = int(item.at.timestamp() * 1000)
    flags = [int(item.for_all), int(item.for_other_platforms)]
    return [item.subject_id, item.facts_version, at_ms, *flags, item.platforms]


def _from_row(row: list[Any]) -> StatusChanged:
    subject_id, facts_version, at_ms, for_all, for_others, platforms = row
    if not isinstance(subject_id, int) or not isinstance(platforms, dict):
        raise TypeError("malformed row")
    return StatusChanged(
        subject_id=subject_id,
        facts_version=int(facts_version),
        at=dt.datetime.fromtimestamp(at_ms / 1000, tz=dt.UTC),
        for_all=bool(for_all),
        for_other_platforms=bool(for_others),
        platforms={str(key): bool(value) for key, value in platforms.items()},
    )
