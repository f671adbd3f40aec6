"""Recording public authorities' decisions (dual publicity, 双公示): `import authority FILE` and
the `recordAuthorityDecision` mutation share one batch path.

A batch is one transaction: its decisions are copied into a staging table (binary COPY), then
its subjects found or registered, its new decisions inserted, its changed re-publications
versioned and updated, its removal notices applied, each in one statement per step whatever the
batch size, with the status changes and audit rows in the same statements. Decisions are keyed
by (authority, decision number): the same row again changes nothing. Recorders are serialised
per transaction, so overlapping imports never race.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TextIO

from credithub.db import authority as db_authority
from credithub.db import records as db_records
from credithub.db.pool import Connection, transaction
from credithub.domain import authority, records
from credithub.domain.authority import AuthorityDecision, DecisionOutcome, Removal
from credithub.domain.clients import Client
from credithub.domain.errors import Conflict, DomainError, InvalidInput, InvalidValue, NotFound, UnknownSubject
from credithub.domain.read_models import RecordView
from credithub.services import lists, read_models, record_status
from credithub.services.ports import Deps

BATCH_SIZE: Final = 10_000
YIELD_EVERY: Final = 50  # rows parsed (~2 ms) between giving the batch being recorded a turn
DEFAULT_SEVERITIES: Final = Path(__file__).resolve().parents[1] / "data" / "penalty_severities.json"


@dataclass(frozen=True, slots=True)
class Recorded:
    outcome: DecisionOutcome
    record_id: int


BatchResult = Recorded | DomainError


async def record_batch(
    conn: Connection, decisions: Sequence[AuthorityDecision], *, actor: str, at: dt.datetime
) -> list[BatchResult]:
    """Record decisions with distinct keys, in the caller's transaction: per decision what was
    done, or the DomainError that refuses it (nothing of a refused decision is written)."""
    await db_authority.begin_batch(conn, decisions)
    kept = await db_authority.find_existing(conn)
    # Lock what this batch may change (a record it republishes or removes) before reading more.
    await db_authority.lock_records(conn, _records_it_may_change(decisions, kept))
    left_out = [n for n, d in enumerate(decisions) if d.removal is not None and n not in kept]
    subjects = await db_authority.find_organisations(conn, left_out)
    people = await _find_people(conn, decisions, left_out)
    await db_authority.plan_writes(conn)
    subjects = await _with_unknown_registered(conn, decisions, subjects, left_out)
    plan = _plan(decisions, kept, subjects, people)
    await _insert_new(conn, decisions, plan, actor, at)
    await db_authority.update_many(conn, plan.changed, at, actor)
    await _apply_removals(conn, decisions, plan.results, actor, at)
    return [result for result in plan.results if result is not None]


def _records_it_may_change(decisions: Sequence[AuthorityDecision], kept: Mapping[int, db_authority.Kept]) -> list[int]:
    """The records a batch republishes with changes, or removes."""
    return [record.id for n, record in kept.items() if not record.same or decisions[n].removal is not None]


async def _find_people(
    conn: Connection, decisions: Sequence[AuthorityDecision], left_out: list[int]
) -> dict[bytes, int]:
    """The people the batch's decisions name, by ID-number hash (no query when none does)."""
    if not any(d.person_hash is not None for d in decisions):
        return {}
    return await db_authority.find_people(conn, left_out)


async def _with_unknown_registered(
    conn: Connection, decisions: Sequence[AuthorityDecision], subjects: dict[str, int], left_out: list[int]
) -> dict[str, int]:
    """`subjects` and the organisations of credit codes the hub did not know, registered now."""
    unknown = _first_rows_of_unknown_codes(decisions, subjects, set(left_out))
    if not unknown:
        return subjects
    subjects = subjects | await db_authority.register_organisations(conn, list(unknown.values()))
    if not unknown.keys() <= subjects.keys():  # registered meanwhile by another session
        subjects |= await db_authority.find_organisations(conn, left_out)
    return subjects


@dataclass(slots=True)
class _Plan:
    """What a batch does, decided before it writes: a result per decision (None while it is to
    be inserted), the new decisions (position, subject id), the changed ones (position, record id)."""

    results: list[BatchResult | None]
    new: list[tuple[int, int]] = field(default_factory=list)
    changed: list[tuple[int, int]] = field(default_factory=list)


def _plan(
    decisions: Sequence[AuthorityDecision],
    kept: Mapping[int, db_authority.Kept],
    subjects: Mapping[str, int],
    people: Mapping[bytes, int],
) -> _Plan:
    plan = _Plan([None] * len(decisions))
    for index, decision in enumerate(decisions):
        subject_id = subjects.get(decision.credit_code or "") or people.get(decision.person_hash or b"")
        record = kept.get(index)
        refused = _refusal(decision, record, subject_id)
        if refused is not None:
            plan.results[index] = refused
        elif record is None:
            assert subject_id is not None, "_refusal refuses a decision about no known subject"
            plan.new.append((index, subject_id))
        elif record.same:
            plan.results[index] = Recorded(DecisionOutcome.UNCHANGED, record.id)
        else:
            plan.changed.append((index, record.id))
            plan.results[index] = Recorded(DecisionOutcome.UPDATED, record.id)
    return plan


def _refusal(
    decision: AuthorityDecision, record: db_authority.Kept | None, subject_id: int | None
) -> DomainError | None:
    """Why the batch writes nothing of `decision` (`record`: the hub's copy of it), if it does not."""
    if record is None and decision.removal is not None:
        return NotFound(f"a removal notice for {_name(decision)}, which the hub does not hold")
    if subject_id is None:
        return UnknownSubject("the person's ID number: the hub keeps authority records only about anchors it hosts")
    if record is not None and record.subject_id != subject_id:
        return Conflict(f"{_name(decision)} is already recorded about another subject")
    return None


async def _insert_new(
    conn: Connection, decisions: Sequence[AuthorityDecision], plan: _Plan, actor: str, at: dt.datetime
) -> None:
    """Insert the new decisions; a general or serious one in force ends its subject's red entry."""
    inserted = await db_authority.insert_many(conn, plan.new, at, actor)
    for index, _ in plan.new:
        plan.results[index] = Recorded(DecisionOutcome.CREATED, inserted[decisions[index].key])
    await lists.on_records_reported(
        conn,
        [(subject_id, decisions[index].severity, decisions[index].occurred_at) for index, subject_id in plan.new],
        by=actor,
        at=at,
    )


async def _apply_removals(
    conn: Connection,
    decisions: Sequence[AuthorityDecision],
    results: list[BatchResult | None],
    actor: str,
    at: dt.datetime,
) -> None:
    """Apply the removal notices of records the hub holds (their result becomes the removal's)."""
    for index, decision in enumerate(decisions):
        found = results[index]
        if decision.removal is not None and isinstance(found, Recorded):
            results[index] = await _remove(conn, found.record_id, decision, actor, at)


def _first_rows_of_unknown_codes(
    decisions: Sequence[AuthorityDecision], known: Mapping[str, int], left_out: set[int]
) -> dict[str, int]:
    """{credit code: position of its first row} for the codes the hub does not know yet: the
    subject is registered under the name its first row gives."""
    first: dict[str, int] = {}
    for n, decision in enumerate(decisions):
        code = decision.credit_code
        if code is not None and code not in known and code not in first and n not in left_out:
            first[code] = n
    return first


def _name(decision: AuthorityDecision) -> str:
    return f"decision {decision.decision_number!r} of {decision.authority}"


REMOVALS: Final = {
    Removal.WITHDRAW: (records.RecordEvent.REVOKE, records.RecordStatus.WITHDRAWN, DecisionOutcome.WITHDRAWN),
    Removal.REPAIR: (records.RecordEvent.REPAIR, records.RecordStatus.REPAIRED, DecisionOutcome.REPAIRED),
}


async def _remove(
    conn: Connection, record_id: int, decision: AuthorityDecision, actor: str, at: dt.datetime
) -> BatchResult:
    """Apply a removal notice: the authority revoked the decision, or ended its publicity after
    credit repair. Applying it again changes nothing."""
    assert decision.removal is not None
    event, status, outcome = REMOVALS[decision.removal]
    record = await db_records.get_for_update(conn, record_id)
    assert record is not None, "the record was locked by this transaction"
    if record.status is status:
        return Recorded(DecisionOutcome.UNCHANGED, record_id)
    try:
        new_status = records.apply_event(record.status, event)
    except DomainError as exc:
        return exc
    reason = f"{decision.authority}: {'revoked' if status is records.RecordStatus.WITHDRAWN else 'credit repair'}"
    await record_status.change(conn, record, new_status, actor=actor, reason=reason, at=at)
    return Recorded(outcome, record_id)


# ---- the mutation ---------------------------------------------------------------------------


async def record_decision(
    deps: Deps, actor: Client, fields: authority.DecisionFields
) -> tuple[RecordView, DecisionOutcome]:
    """`recordAuthorityDecision`: one decision (or removal notice) by a regulator, applied at once;
    the record as it now stands."""
    authority.check_may_record(actor, fields.authority)
    now = deps.clock.now()
    decision = authority.parse_fields(fields, person_key=deps.person_key, now=now)
    async with transaction(deps.pool) as conn:
        [result] = await record_batch(conn, [decision], actor=actor.label, at=now)
        if isinstance(result, DomainError):
            raise result
        record = await db_records.get_for_update(conn, result.record_id)
    assert record is not None
    return await read_models.written_record_view(deps, record), result.outcome


# ---- the import -----------------------------------------------------------------------------


@dataclass
class ImportSummary:
    file: str
    rows: int = 0
    outcomes: dict[DecisionOutcome, int] = field(default_factory=lambda: dict.fromkeys(DecisionOutcome, 0))
    refused: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "rows": self.rows,
            **{outcome.value.lower(): count for outcome, count in self.outcomes.items()},
            "refused": len(self.refused),
            "refused_rows": [{"line": line, "reason": reason} for line, reason in self.refused],
            "seconds": round(self.seconds, 2),
        }


def load_severity_map(path: Path | None) -> dict[str, records.Severity]:
    """The penalty-class → severity map: the file given, or the shipped default."""
    source = path or DEFAULT_SEVERITIES
    try:
        raw = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidValue(f"cannot read the severity map {source}: {exc}", field="severities") from exc
    return authority.parse_severity_map(raw)


Row = Mapping[str, object]


def read_rows(text: TextIO) -> Iterator[tuple[int, Row | DomainError]]:
    """(line, row) for every row of a CSV file with a header, or of a JSON-lines file."""
    first = text.read(1)
    while first.isspace():
        first = text.read(1)
    text.seek(0)
    if first == "{":
        for line, raw in enumerate(text, start=1):
            if raw.strip():
                yield line, _json_row(raw)
        return
    reader = csv.DictReader(text)
    line = 1
    for row in reader:
        if None in row:  # the values past the header's last field
            row = {key: value for key, value in row.items() if isinstance(key, str)}
        yield line + 1, row
        line = reader.line_num


def _json_row(raw: str) -> Row | DomainError:
    try:
        row = json.loads(raw)
    except json.JSONDecodeError as exc:
        return InvalidValue(f"not JSON: {exc.msg} at column {exc.colno}")
    return row if isinstance(row, dict) else InvalidValue("a JSON line must be an object")


Progress = Callable[[ImportSummary, float], None]


async def import_file(
    deps: Deps,
    path: Path,
    *,
    severity_map: Mapping[str, records.Severity],
    encoding: str = "utf-8-sig",
    batch_size: int = BATCH_SIZE,
    on_batch: Progress | None = None,
) -> ImportSummary:
    """Import a dual-publicity export: every row recorded or refused with its line and reason.
    Each batch commits on its own, in file order; while the database records one batch, the next
    is parsed (the two overlap). Importing the file again (after a crash, or a newer export)
    changes only what changed."""
    started = time.monotonic()
    summary = ImportSummary(file=path.name)
    actor = f"import:{path.name}"
    # A local file read by a command, batch by batch: blocking reads are what it waits on anyway.
    size = max(path.stat().st_size, 1)  # noqa: ASYNC240
    batch: list[tuple[int, AuthorityDecision]] = []
    keys: set[tuple[str, str]] = set()
    recording: asyncio.Task[None] | None = None

    async def flush() -> None:
        nonlocal recording
        if recording is not None:
            await recording  # batches commit in file order; a failure stops the import here
            recording = None
        if batch:
            recording = asyncio.create_task(_record_lines(deps, list(batch), actor, summary))
            batch.clear()
            keys.clear()
        if on_batch is not None:
            on_batch(summary, min(raw.tell() / size, 1.0))

    try:
        with path.open("rb") as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as handle:
            for line, row in read_rows(handle):
                summary.rows += 1
                if summary.rows % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # let the batch being recorded send its next statement
                parsed = _parse(row, deps, severity_map)
                if isinstance(parsed, DomainError):
                    summary.refused.append((line, parsed.message))
                    continue
                if len(batch) >= batch_size or parsed.key in keys:
                    await flush()  # (the same decision twice: each version in its turn)
                batch.append((line, parsed))
                keys.add(parsed.key)
            await flush()
            await flush()
    except UnicodeDecodeError as exc:
        raise InvalidValue(f"{path.name} is not {encoding} text ({exc.reason}); try --encoding gb18030") from exc
    finally:
        if recording is not None and not recording.done():
            recording.cancel()
    summary.refused.sort()
    summary.seconds = time.monotonic() - started
    return summary


def _parse(
    row: Row | DomainError, deps: Deps, severity_map: Mapping[str, records.Severity]
) -> AuthorityDecision | DomainError:
    if isinstance(row, DomainError):
        return row
    try:
        return authority.parse_row(row, person_key=deps.person_key, severity_map=severity_map, now=deps.clock.now())
    except InvalidInput as exc:
        return exc


async def _record_lines(
    deps: Deps, batch: list[tuple[int, AuthorityDecision]], actor: str, summary: ImportSummary
) -> None:
    async with transaction(deps.pool) as conn:
        results = await record_batch(conn, [decision for _, decision in batch], actor=actor, at=deps.clock.now())
    for (line, _), result in zip(batch, results, strict=True):
        if isinstance(result, DomainError):
            summary.refused.append((line, result.message))
        else:
            summary.outcomes[result.outcome] += 1
