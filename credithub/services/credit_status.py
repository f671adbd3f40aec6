"""Credit status at query time, for one subject or a batch of up to 1,000.

The path is a constant number of round trips whatever the batch size:

1. resolve the subjects and read their fact versions, the catalog/rules version and any stored
   status computed from exactly those versions (1 query);
2. take every status the status store holds for those versions that is still valid at the
   instant as it is stored (`status_codec.StoredStatus`, not decoded: the GraphQL execution
   splices the fields it can straight from that form, docs/adr/0015), then every one the memory
   cache holds;
3. load the facts of the rest (1 query), compute (`domain.flags.compute_status`), cache.

A cached status is valid from the instant it was computed at until its `stable_until`
(nothing in the facts can change it before then), so "now" queries keep hitting it as time
passes, and a past `asOf` inside that window is served from it too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from credithub.cache import STATUS_TTL_SECONDS, status_key
from credithub.db import facts as db_facts
from credithub.db import screening as db_screening
from credithub.db import statuses as db_statuses
from credithub.domain import identifiers, ids
from credithub.domain.errors import BatchTooLarge, InvalidIdentifier, StatusUnavailable, UnknownSubject
from credithub.domain.flags import CreditStatus, is_current_at
from credithub.domain.status_codec import StoredStatus, decode_status, read_stored
from credithub.services import statuses
from credithub.services.engine_config import EngineConfig
from credithub.services.ports import Deps

MAX_BATCH: Final = 1000


@dataclass(frozen=True, slots=True)
class StatusLookup:
    """The answer for one input of a batch: a status, or why there is none."""

    input: str
    subject: db_facts.SubjectVersion | None
    status: CreditStatus | StoredStatus | None
    error: InvalidIdentifier | UnknownSubject | StatusUnavailable | None


def check_batch_size(size: int, *, field: str) -> None:
    if size > MAX_BATCH:
        raise BatchTooLarge(size, MAX_BATCH, field=field)


def _valid_at(status: CreditStatus, at: dt.datetime) -> bool:
    return is_current_at(status.as_of, status.stable_until, at)


async def _statuses(
    deps: Deps,
    versions: dict[int, int],
    config: EngineConfig,
    at: dt.datetime,
    stored: dict[int, dict[str, Any]] | None = None,
) -> dict[int, CreditStatus | StatusUnavailable]:
    """Statuses of subjects given {subject id: facts version} as read moments ago: from the
    memory cache, else the status store (`stored`, or read now), else computed from the facts.
    A subject whose status cannot be computed gets a StatusUnavailable instead."""
    if not versions:
        return {}
    keys = [status_key(subject_id, facts_version, config.version) for subject_id, facts_version in versions.items()]
    result: dict[int, CreditStatus | StatusUnavailable] = {}
    for subject_id, status in zip(versions, await deps.cache.get_many(keys), strict=True):
        if status is not None and _valid_at(status, at):
            result[subject_id] = dataclasses.replace(status, as_of=at)
    missing = {subject_id: versions[subject_id] for subject_id in versions if subject_id not in result}
    fresh: list[tuple[str, CreditStatus]] = []
    if missing:
        found = await _stored(deps, missing, config, stored)
        for subject_id, status in found.items():
            if _valid_at(status, at):
                result[subject_id] = dataclasses.replace(status, as_of=at)
                fresh.append((status_key(subject_id, missing.pop(subject_id), config.version), status))
    if missing:
        computed = await statuses.compute_statuses(deps.pool, list(missing), config, at)
        for status, facts_version in computed.statuses:
            result[status.subject_id] = status
            fresh.append((status_key(status.subject_id, facts_version, config.version), status))
        for failed in computed.unavailable:  # the refresher parks it; this answer says so for it alone
            result[failed.subject_id] = StatusUnavailable(ids.format_id(ids.IdKind.SUBJECT, failed.subject_id))
    if fresh:
        await deps.cache.set_many(fresh, ttl=STATUS_TTL_SECONDS)
    return result


async def _stored(
    deps: Deps, versions: dict[int, int], config: EngineConfig, stored: dict[int, dict[str, Any]] | None
) -> dict[int, CreditStatus]:
    if stored is None:
        return await db_statuses.get_many_current(deps.pool, versions, config.version)
    decoded = {subject_id: decode_status(stored[subject_id]) for subject_id in versions if subject_id in stored}
    return {subject_id: status for subject_id, status in decoded.items() if status is not None}


async def _lookup_statuses(
    deps: Deps, versions: dict[int, int], config: EngineConfig, at: dt.datetime, stored: dict[int, dict[str, Any]]
) -> dict[int, CreditStatus | StoredStatus | StatusUnavailable]:
    """`_statuses` for a batch whose stored statuses came with its versions: those still current
    at `at` are taken as stored, not decoded (nor cached: the store hands them over again with the
    next batch's versions), the rest as `_statuses` finds them."""
    taken: dict[int, CreditStatus | StoredStatus | StatusUnavailable] = {}
    for subject_id, raw in stored.items():
        found = read_stored(raw, at)
        if found is not None:
            taken[subject_id] = found
    rest = {subject_id: version for subject_id, version in versions.items() if subject_id not in taken}
    taken.update(await _statuses(deps, rest, config, at, stored={}))
    return taken


async def statuses_by_credit_code(
    deps: Deps, raw_codes: list[str], as_of: dt.datetime | None, *, only_subject: int | None = None
) -> list[StatusLookup]:
    """One lookup per input, in input order; one bad code never fails the batch. With
    `only_subject` (a subject client), every other subject is unknown to the caller."""
    check_batch_size(len(raw_codes), field="creditCodes")
    at = as_of or deps.clock.now()
    parsed: list[str | InvalidIdentifier] = []
    for raw in raw_codes:
        try:
            parsed.append(identifiers.parse_credit_code(raw, field_name="creditCodes").value)
        except InvalidIdentifier as exc:
            parsed.append(exc)
    codes = sorted({code for code in parsed if isinstance(code, str)})
    resolved = await db_facts.resolve_credit_codes(deps.pool, codes)
    found = {s.credit_code: s for s in resolved if only_subject is None or s.id == only_subject}
    config_version = max((subject.config_version for subject in found.values()), default=0)
    config = await deps.engine.at_version(deps.pool, config_version)
    stored = {s.id: s.stored for s in found.values() if s.stored is not None}
    statuses = await _lookup_statuses(deps, {s.id: s.facts_version for s in found.values()}, config, at, stored)
    lookups = []
    for raw, code in zip(raw_codes, parsed, strict=True):
        if isinstance(code, InvalidIdentifier):
            lookups.append(StatusLookup(raw, None, None, code))
        elif code not in found:
            lookups.append(StatusLookup(raw, None, None, UnknownSubject(f"credit code {code}")))
        else:
            subject = found[code]
            status = statuses[subject.id]
            if isinstance(status, StatusUnavailable):
                lookups.append(StatusLookup(raw, subject, None, status))
            else:
                lookups.append(StatusLookup(raw, subject, status, None))
    return lookups


async def statuses_by_id_number(
    deps: Deps, raw_numbers: list[str], as_of: dt.datetime | None, *, only_subject: int | None = None
) -> list[StatusLookup]:
    """Anchors by resident ID number, before onboarding: one lookup per input, in input order.
    Each number is hashed at once and never stored, logged or echoed; an unknown one stays
    unknown (nothing is registered). With `only_subject` (a subject client), every other anchor
    is unknown to the caller."""
    check_batch_size(len(raw_numbers), field="idNumbers")
    at = as_of or deps.clock.now()
    parsed: list[bytes | InvalidIdentifier] = []
    for raw in raw_numbers:
        try:
            resident = identifiers.parse_resident_id(raw, today=at.date(), field_name="idNumbers")
            parsed.append(identifiers.compute_person_hash(resident, deps.person_key))
        except InvalidIdentifier as exc:
            parsed.append(exc)
    hashes = sorted({value for value in parsed if isinstance(value, bytes)})
    resolved = await db_screening.resolve_person_hashes(deps.pool, hashes)
    found = {key: s for key, s in resolved.items() if only_subject is None or s.id == only_subject}
    config = await deps.engine.at_version(deps.pool, max((s.config_version for s in found.values()), default=0))
    stored = {s.id: s.stored for s in found.values() if s.stored is not None}
    statuses = await _lookup_statuses(deps, {s.id: s.facts_version for s in found.values()}, config, at, stored)
    lookups = []
    for value in parsed:
        if isinstance(value, InvalidIdentifier):
            lookups.append(StatusLookup("", None, None, value))
        elif value not in found:
            lookups.append(
                StatusLookup("", None, None, UnknownSubject("the ID number given (an anchor the hub knows)"))
            )
        else:
            status = statuses[found[value].id]
            if isinstance(status, StatusUnavailable):
                lookups.append(StatusLookup("", found[value], None, status))
            else:
                lookups.append(StatusLookup("", found[value], status, None))
    return lookups


async def statuses_of_subjects(
    deps: Deps, versions: dict[int, int], as_of: dt.datetime | None
) -> dict[int, CreditStatus | StatusUnavailable]:
    """Statuses of subjects just read with their facts versions (`Subject.creditStatus`)."""
    config = await deps.engine.recent(deps.pool)
    return await _statuses(deps, versions, config, as_of or deps.clock.now())
