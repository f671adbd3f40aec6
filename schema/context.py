"""The per-request GraphQL context: dependencies, the calling client, and its DataLoaders."""

from __future__ import annotations

import contextlib
import datetime as dt
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

import strawberry
from strawberry.dataloader import DataLoader

from credithub.domain import commitments, lists, records, rules, subjects
from credithub.domain.audit import READ_OPERATIONS, AuditRead, AuditWrite
from credithub.domain.clients import Client, parse_declared_purpose
from credithub.domain.errors import PermissionDenied
from credithub.domain.executions import MeasureExecution
from credithub.domain.notices import Notice
from credithub.domain.pages import Page
from credithub.domain.read_models import AccountView, DefenceView, ObjectionView, RecordView, RepairView, StatusView
from credithub.services.ports import Deps

W = TypeVar("W")
PURPOSE_HEADER = "credit-purpose"


@dataclass(frozen=True, slots=True)
class RecordPageKey:
    """One page of one subject's records under one filter."""

    subject_id: int
    where: records.RecordFilter
    after: tuple[dt.datetime, int] | None
    first: int


@dataclass(frozen=True, slots=True)
class RecordCountKey:
    subject_id: int
    where: records.RecordFilter


@dataclass(frozen=True, slots=True)
class SigningPageKey:
    """One page of one agency's signings, in force at an instant (or all when None)."""

    agency_id: int
    in_force_at: dt.datetime | None
    before_id: int | None
    first: int


@dataclass(frozen=True, slots=True)
class SigningCountKey:
    agency_id: int
    in_force_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class StatusKey:
    """A subject's credit status at an instant (None: now), from facts of the version read."""

    subject_id: int
    facts_version: int
    as_of: dt.datetime | None


@dataclass(frozen=True, slots=True)
class NoticePageKey:
    """One page of one subject's notices, newest first."""

    subject_id: int
    before_id: int | None
    first: int


@dataclass(frozen=True, slots=True)
class SubjectPageKey:
    where: subjects.SubjectFilter
    after_id: int | None
    first: int


@dataclass(frozen=True, slots=True)
class ListEntryFilterKey:
    kind: lists.ListKind | None
    subject_id: int | None
    in_force_at: dt.datetime | None
    state: lists.ListEntryState | None
    platform: str | None  # a platform lists only subjects that hold an account on it


@dataclass(frozen=True, slots=True)
class ExitReviewFilterKey:
    status: lists.ExitReviewStatus | None
    authority: str | None
    subject_id: int | None


@dataclass(frozen=True, slots=True)
class ObjectionFilterKey:
    status: str | None
    subject_id: int | None
    record_id: int | None
    overdue_at: dt.datetime | None
    involving_platform: str | None  # a platform sees the objections it filed or must resolve


@dataclass(frozen=True, slots=True)
class RepairFilterKey:
    status: str | None
    subject_id: int | None
    record_id: int | None
    involving_platform: str | None


@dataclass(frozen=True, slots=True)
class AuditReadFilterKey:
    client_id: int | None
    subject_id: int | None
    operation: str | None
    since: dt.datetime | None
    until: dt.datetime | None


@dataclass(frozen=True, slots=True)
class AuditWriteFilterKey:
    actor: str | None
    entity: str | None
    subject_id: int | None
    since: dt.datetime | None
    until: dt.datetime | None


@dataclass(frozen=True, slots=True)
class NewestFirstPageKey(Generic[W]):
    """One page of a list kept newest first (by id) under the filter `where`."""

    where: W
    before_id: int | None
    first: int


class Loaders(Protocol):
    """The DataLoaders of domain types a request reads through (`resolvers.loaders.RequestLoaders`).

    Read-only: each is made on first use, for the request alone. What the viewer may see only in
    part comes as a read model (`credithub.domain.read_models`: statuses, records, workflow texts,
    accounts),
    already scoped to the viewer by `credithub.services.read_models`."""

    @property
    def subject(self) -> DataLoader[int, subjects.Subject | None]: ...
    @property
    def subject_by_credit_code(self) -> DataLoader[str, subjects.Subject | None]: ...
    @property
    def subject_by_account(self) -> DataLoader[tuple[str, str], subjects.Subject | None]: ...
    @property
    def subject_page(self) -> DataLoader[SubjectPageKey, Page[subjects.Subject]]: ...
    @property
    def subject_count(self) -> DataLoader[subjects.SubjectFilter, int]: ...
    @property
    def accounts(self) -> DataLoader[int, list[AccountView]]: ...
    @property
    def record_page(self) -> DataLoader[RecordPageKey, Page[RecordView]]: ...
    @property
    def record_count(self) -> DataLoader[RecordCountKey, int]: ...
    @property
    def status_changes(self) -> DataLoader[int, list[records.StatusChange]]: ...
    @property
    def record_versions(self) -> DataLoader[int, list[records.RecordVersion]]: ...
    @property
    def record_corrections(self) -> DataLoader[int, list[records.Correction]]: ...
    @property
    def notice_page(self) -> DataLoader[NoticePageKey, Page[Notice]]: ...
    @property
    def notice_count(self) -> DataLoader[int, int]: ...
    @property
    def signing_page(self) -> DataLoader[SigningPageKey, Page[subjects.Signing]]: ...
    @property
    def signing_count(self) -> DataLoader[SigningCountKey, int]: ...
    @property
    def anchor_signings(self) -> DataLoader[int, list[subjects.Signing]]: ...
    @property  # raises StatusUnavailable for a subject whose status cannot be computed, for it alone
    def credit_status(self) -> DataLoader[StatusKey, StatusView | None]: ...
    @property
    def rule_set(self) -> DataLoader[dt.datetime, rules.RuleSet]: ...
    @property
    def list_entry_page(self) -> DataLoader[NewestFirstPageKey[ListEntryFilterKey], Page[lists.ListEntry]]: ...
    @property
    def list_entry_count(self) -> DataLoader[ListEntryFilterKey, int]: ...
    @property
    def list_entry(self) -> DataLoader[int, lists.ListEntry | None]: ...
    @property
    def defences(self) -> DataLoader[int, list[DefenceView]]: ...
    @property
    def exit_review_page(self) -> DataLoader[NewestFirstPageKey[ExitReviewFilterKey], Page[lists.ExitReview]]: ...
    @property
    def exit_review_count(self) -> DataLoader[ExitReviewFilterKey, int]: ...
    @property  # None for a record that does not exist or is hidden from the viewer
    def record(self) -> DataLoader[int, RecordView | None]: ...
    @property
    def objection_page(self) -> DataLoader[NewestFirstPageKey[ObjectionFilterKey], Page[ObjectionView]]: ...
    @property
    def objection_count(self) -> DataLoader[ObjectionFilterKey, int]: ...
    @property
    def repair_page(self) -> DataLoader[NewestFirstPageKey[RepairFilterKey], Page[RepairView]]: ...
    @property
    def repair_count(self) -> DataLoader[RepairFilterKey, int]: ...
    @property
    def audit_read_page(self) -> DataLoader[NewestFirstPageKey[AuditReadFilterKey], Page[AuditRead]]: ...
    @property
    def audit_read_count(self) -> DataLoader[AuditReadFilterKey, int]: ...
    @property
    def audit_write_page(self) -> DataLoader[NewestFirstPageKey[AuditWriteFilterKey], Page[AuditWrite]]: ...
    @property
    def audit_write_count(self) -> DataLoader[AuditWriteFilterKey, int]: ...
    @property
    def executions(self) -> DataLoader[int, list[MeasureExecution]]: ...
    @property
    def commitments(self) -> DataLoader[int, list[commitments.Standing]]: ...


@dataclass
class Context:
    """Built by the view for each request, or once per WebSocket connection.

    `client` is None until authentication succeeds (the GraphiQL page, a WebSocket before
    `connection_init`); reading `viewer` or `loaders` then refuses, so no data can be served
    to an unauthenticated caller even if a route forgot to check."""

    deps: Deps  # the primary's: mutations, the audit trail, and reads that must see the latest write
    loader_factory: Callable[[Deps, Client], Loaders]
    client: Client | None = None
    request: Any = None
    response: Any = None
    connection_params: dict[str, Any] | None = None
    token: str | None = field(default=None, repr=False)  # a WebSocket's, to re-check it is not revoked
    # The replica's, for a query that may read there (`entrypoints.read_routing`); None: the primary.
    read_deps: Deps | None = field(default=None, repr=False)
    _loaders: Loaders | None = field(default=None, repr=False)
    reads: set[tuple[str, int, str | None]] = field(default_factory=set)
    # Reads audited already for the subscription delivery batch being sent: each event of a batch
    # is not audited again (one audit statement per batch, not per event).
    audited: set[tuple[str, int, str | None]] = field(default_factory=set)

    @property
    def viewer(self) -> Client:
        if self.client is None:
            raise PermissionDenied("authentication required")
        return self.client

    @property
    def reading(self) -> Deps:
        """Where this operation's reads go: the replica for a query routed there, else `deps`.
        Query resolvers and the loaders read through it; what must see the latest write (a
        signed credit report) and every write use `deps`."""
        return self.read_deps or self.deps

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = self.loader_factory(self.reading, self.viewer)
        return self._loaders

    def drop_loaders(self) -> None:
        """Forget what this context's loaders cached. A WebSocket connection keeps its context
        for every operation and event it carries; each must read the data as it is then."""
        self._loaders = None

    def take_reads(self) -> set[tuple[str, int, str | None]]:
        """The reads noted so far, to be audited; they are forgotten here."""
        taken, self.reads = self.reads, set()
        return taken

    def note_reads(self, operation: str, subject_ids: Iterable[int], *, purpose: str | None = None) -> None:
        """Credit information about these subjects is in the response: audited after execution
        (`entrypoints.graphql.AuditReads`), with the purpose stated for it, and the response
        withheld if that fails."""
        assert operation in READ_OPERATIONS, operation
        self.reads.update(
            read
            for read in ((operation, subject_id, purpose) for subject_id in subject_ids)
            if read not in self.audited
        )

    def begin_delivery(self) -> None:
        """A new delivery batch of a subscription starts: what it reads is audited afresh."""
        self.audited.clear()

    @property
    def purpose(self) -> str | None:
        """The purpose this request declares for reading credit information (`Credit-Purpose`)."""
        if self.request is None:
            return None
        headers = getattr(self.request, "headers", None)
        raw = headers.get(PURPOSE_HEADER) if headers is not None else None
        if raw is None:
            return None
        # Headers arrive as latin-1: UTF-8 bytes sent raw are recovered, percent-encoding decoded.
        with contextlib.suppress(UnicodeError):
            raw = raw.encode("latin-1").decode("utf-8")
        return parse_declared_purpose(urllib.parse.unquote(raw))

    def now(self) -> dt.datetime:
        return self.deps.clock.now()


Info = strawberry.Info[Context, None]
