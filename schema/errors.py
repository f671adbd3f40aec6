"""Typed errors: every `DomainError` has a GraphQL type implementing `UserError`, so a client
can handle a result union member it does not know yet by `message` and `code`.

`from_domain` maps an exception through one table, keyed by domain error class and searched
along the exception's MRO: the most specific class that has a GraphQL type wins."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, Final, TypeVar, overload

import strawberry

from credithub.domain import errors


@strawberry.interface(description="Something the caller can act on: fix the input, pick another id, ask for rights.")
class UserError:
    message: str
    code: str


@strawberry.interface(description="An input the hub cannot accept; `field` names it.")
class InputError(UserError):
    field: str | None


@strawberry.type
class InvalidInputError(InputError):
    pass


@strawberry.type(description="A credit code or resident ID failed the named check.")
class InvalidIdentifierError(InputError):
    identifier: str
    check: str
    input: str = strawberry.field(description="The value as given (never shown for resident IDs).")


@strawberry.type
class InvalidIdError(InputError):
    pass


@strawberry.type
class InvalidCursorError(InputError):
    pass


@strawberry.type
class InvalidPageSizeError(InputError):
    pass


@strawberry.type
class BatchTooLargeError(InputError):
    limit: int


@strawberry.type
class InvalidValueError(InputError):
    pass


@strawberry.type(description="The request asks for more objects than one request may; ask for less at once.")
class QueryTooCostlyError(InputError):
    cost: int
    limit: int


@strawberry.type(description="The records given cannot support this listing.")
class InvalidListBasisError(InputError):
    pass


@strawberry.type(description="Platforms state the purpose of a credit report request; it is kept in the audit trail.")
class PurposeRequiredError(InputError):
    pass


@strawberry.type
class NotFoundError(UserError):
    pass


@strawberry.type
class UnknownPlatformError(UserError):
    platform: str


@strawberry.type
class UnknownSubjectError(UserError):
    input: str = strawberry.field(description="The identifier as given.")


@strawberry.type
class ConflictError(UserError):
    pass


@strawberry.type
class AlreadyExistsError(UserError):
    pass


@strawberry.type
class PermissionDeniedError(UserError):
    pass


@strawberry.type(description="The record's status does not allow this step.")
class TransitionNotAllowedError(UserError):
    state: str
    event: str


@strawberry.type(description="An account or identifier already belongs to another identity.")
class IdentityConflictError(UserError):
    pass


@strawberry.type(
    description="The violation id was reported before with other content: revoke it and report the "
    "correction under a new id."
)
class ViolationConflictError(UserError):
    violation_id: str


@strawberry.type(description="The hub has not received what this refers to yet.")
class NotYetKnownError(UserError):
    pass


@strawberry.type(description="Credit repair opens once the record's minimum publicity period has passed.")
class RepairTooEarlyError(UserError):
    allowed_from: dt.datetime = strawberry.field(description="The earliest instant an application can be granted.")
    rule_set: str = strawberry.field(description="The rule set whose publicity windows decide it.")


@strawberry.type(description="The law excludes this record's category from credit repair, or it is not negative.")
class NotRepairableError(UserError):
    pass


@strawberry.type(description="The legal basis ranks too low for what it would ground.")
class LegalBasisInsufficientError(InputError):
    level: str = strawberry.field(description="The level given.")


@strawberry.type(description="An end date past the longest the rules allow; `latest` is the latest accepted.")
class ValidityTooLongError(InputError):
    latest: dt.datetime


@strawberry.type(description="The subject may still state its defence: decide after `deadline`.")
class DefenceWindowOpenError(UserError):
    deadline: dt.datetime


@strawberry.type(description="The defence comes too late: the deadline passed or the proposal was decided.")
class DefenceWindowClosedError(UserError):
    pass


@strawberry.type(description="The red list and a blacklist never hold the same subject at once.")
class ListingConflictError(UserError):
    pass


@strawberry.type(description="The subject carries no such measure for that platform at that instant.")
class NoSuchFlagError(UserError):
    pass


@strawberry.type(description="Too many requests or operations from this client: retry after `retryAfter` seconds.")
class RateLimitedError(UserError):
    retry_after: int


@strawberry.type(description="The client holds as many live subscriptions as it may: end one first.")
class TooManySubscriptionsError(UserError):
    limit: int


@strawberry.type(description="The hub cannot go on with this now; try again.")
class UnavailableError(UserError):
    pass


@strawberry.type(
    description="This subject's credit status cannot be computed now; it is parked for the hub's operators, "
    "and every other subject is unaffected."
)
class StatusUnavailableError(UserError):
    subject: str = strawberry.field(description="The subject's id.")


@strawberry.type(description="A live subscription missed changes: reload, then subscribe again.")
class LiveFeedLostError(UserError):
    reason: str = strawberry.field(description="INTERRUPTED or TOO_SLOW.")


_Fields = Callable[[Any, str], dict[str, Any]]


@dataclasses.dataclass(frozen=True, slots=True)
class Shown:
    """How a domain error class is shown: its GraphQL type, and that type's fields besides
    `message` and `code`, read from the exception and the input as the client gave it."""

    kind: type[UserError]
    fields: _Fields

    def make(self, exc: errors.DomainError, given: str) -> UserError:
        return self.kind(message=exc.message, code=exc.code, **self.fields(exc, given))


def _plain(kind: type[UserError]) -> Shown:
    return Shown(kind, lambda exc, given: {})


def _input(kind: type[UserError], more: _Fields = lambda exc, given: {}) -> Shown:
    return Shown(kind, lambda exc, given: {"field": exc.field, **more(exc, given)})


def _identifier(exc: errors.InvalidIdentifier, given: str) -> dict[str, Any]:
    shown = given if exc.kind != "RESIDENT_ID" else ""
    return {"identifier": exc.kind, "check": exc.check, "input": shown}


# Domain error class → its GraphQL error; `from_domain` walks the exception's MRO, `catchable`
# reads it backwards.
MAPPING: Final[dict[type[errors.DomainError], Shown]] = {
    errors.InvalidIdentifier: _input(InvalidIdentifierError, _identifier),
    errors.QueryTooCostly: _input(QueryTooCostlyError, lambda exc, given: {"cost": exc.cost, "limit": exc.limit}),
    errors.BatchTooLarge: _input(BatchTooLargeError, lambda exc, given: {"limit": exc.limit}),
    errors.InvalidId: _input(InvalidIdError),
    errors.InvalidCursor: _input(InvalidCursorError),
    errors.InvalidPageSize: _input(InvalidPageSizeError),
    errors.InvalidListBasis: _input(InvalidListBasisError),
    errors.PurposeRequired: _input(PurposeRequiredError),
    errors.LegalBasisInsufficient: _input(LegalBasisInsufficientError, lambda exc, given: {"level": exc.level}),
    errors.ValidityTooLong: _input(ValidityTooLongError, lambda exc, given: {"latest": exc.latest}),
    errors.InvalidValue: _input(InvalidValueError),
    errors.InvalidInput: _input(InvalidInputError),
    errors.UnknownPlatform: Shown(UnknownPlatformError, lambda exc, given: {"platform": exc.platform}),
    errors.NotYetKnown: _plain(NotYetKnownError),
    errors.UnknownSubject: Shown(UnknownSubjectError, lambda exc, given: {"input": given or exc.identifier}),
    errors.NotFound: _plain(NotFoundError),
    errors.TransitionNotAllowed: Shown(
        TransitionNotAllowedError, lambda exc, given: {"state": exc.state, "event": exc.event}
    ),
    errors.RepairTooEarly: Shown(
        RepairTooEarlyError, lambda exc, given: {"allowed_from": exc.allowed_from, "rule_set": exc.rule_set}
    ),
    errors.NotRepairable: _plain(NotRepairableError),
    errors.ViolationConflict: Shown(ViolationConflictError, lambda exc, given: {"violation_id": exc.violation_id}),
    errors.DefenceWindowOpen: Shown(DefenceWindowOpenError, lambda exc, given: {"deadline": exc.deadline}),
    errors.DefenceWindowClosed: _plain(DefenceWindowClosedError),
    errors.ListingConflict: _plain(ListingConflictError),
    errors.NoSuchFlag: _plain(NoSuchFlagError),
    errors.IdentityConflict: _plain(IdentityConflictError),
    errors.AlreadyExists: _plain(AlreadyExistsError),
    errors.Conflict: _plain(ConflictError),
    errors.PermissionDenied: _plain(PermissionDeniedError),
    errors.RateLimited: Shown(RateLimitedError, lambda exc, given: {"retry_after": exc.retry_after}),
    errors.TooManySubscriptions: Shown(TooManySubscriptionsError, lambda exc, given: {"limit": exc.limit}),
    errors.LiveFeedLost: Shown(LiveFeedLostError, lambda exc, given: {"reason": exc.reason}),
    errors.StatusUnavailable: Shown(StatusUnavailableError, lambda exc, given: {"subject": exc.subject}),
    errors.Unavailable: _plain(UnavailableError),
}


def catchable(allowed: tuple[type[UserError], ...]) -> tuple[type[errors.DomainError], ...]:
    """The domain errors a resolver catches to answer with a member of `allowed`, the error
    members of its result union: each class shown as one of them.

    `except` also catches their subclasses; one shown as a type outside `allowed` (`NotFound`'s
    `UnknownSubject`) `from_domain` raises again, as it would have gone uncaught."""
    caught = tuple(cls for cls, shown in MAPPING.items() if shown.kind in allowed)
    unmapped = set(allowed) - {MAPPING[cls].kind for cls in caught}
    if unmapped:
        names = sorted(kind.__name__ for kind in unmapped)
        raise TypeError(f"no domain error is shown as {names}; add one to MAPPING in schema/errors.py")
    return caught


logger = logging.getLogger(__name__)

# One type variable per member a result union may list (`from_domain`'s `allowed`).
E1 = TypeVar("E1", bound=UserError)
E2 = TypeVar("E2", bound=UserError)
E3 = TypeVar("E3", bound=UserError)
E4 = TypeVar("E4", bound=UserError)
E5 = TypeVar("E5", bound=UserError)
E6 = TypeVar("E6", bound=UserError)
E7 = TypeVar("E7", bound=UserError)
E8 = TypeVar("E8", bound=UserError)
E9 = TypeVar("E9", bound=UserError)
E10 = TypeVar("E10", bound=UserError)


@overload
def from_domain(exc: errors.DomainError, *, given: str = "", allowed: None = None) -> UserError: ...


@overload
def from_domain(exc: errors.DomainError, *, given: str = "", allowed: tuple[type[E1]]) -> E1: ...


@overload
def from_domain(exc: errors.DomainError, *, given: str = "", allowed: tuple[type[E1], type[E2]]) -> E1 | E2: ...


@overload
def from_domain(
    exc: errors.DomainError, *, given: str = "", allowed: tuple[type[E1], type[E2], type[E3]]
) -> E1 | E2 | E3: ...


@overload
def from_domain(
    exc: errors.DomainError, *, given: str = "", allowed: tuple[type[E1], type[E2], type[E3], type[E4]]
) -> E1 | E2 | E3 | E4: ...


@overload
def from_domain(
    exc: errors.DomainError, *, given: str = "", allowed: tuple[type[E1], type[E2], type[E3], type[E4], type[E5]]
) -> E1 | E2 | E3 | E4 | E5: ...


@overload
def from_domain(
    exc: errors.DomainError,
    *,
    given: str = "",
    allowed: tuple[type[E1], type[E2], type[E3], type[E4], type[E5], type[E6]],
) -> E1 | E2 | E3 | E4 | E5 | E6: ...


@overload
def from_domain(
    exc: errors.DomainError,
    *,
    given: str = "",
    allowed: tuple[type[E1], type[E2], type[E3], type[E4], type[E5], type[E6], type[E7]],
) -> E1 | E2 | E3 | E4 | E5 | E6 | E7: ...


@overload
def from_domain(
    exc: errors.DomainError,
    *,
    given: str = "",
    allowed: tuple[type[E1], type[E2], type[E3], type[E4], type[E5], type[E6], type[E7], type[E8]],
) -> E1 | E2 | E3 | E4 | E5 | E6 | E7 | E8: ...


@overload
def from_domain(
    exc: errors.DomainError,
    *,
    given: str = "",
    allowed: tuple[type[E1], type[E2], type[E3], type[E4], type[E5], type[E6], type[E7], type[E8], type[E9]],
) -> E1 | E2 | E3 | E4 | E5 | E6 | E7 | E8 | E9: ...


@overload
def from_domain(
    exc: errors.DomainError,
    *,
    given: str = "",
    allowed: tuple[type[E1], type[E2], type[E3], type[E4], type[E5], type[E6], type[E7], type[E8], type[E9], type[E10]],
) -> E1 | E2 | E3 | E4 | E5 | E6 | E7 | E8 | E9 | E10: ...


def from_domain(
    exc: errors.DomainError, *, given: str = "", allowed: tuple[type[UserError], ...] | None = None
) -> UserError:
    """The GraphQL error type for a domain error (the most specific class wins).

    A resolver passes `allowed`, the error members of its result union, and gets their union back,
    so mypy checks that it returns a member of its declared result. Which member it is depends on
    the class the service raised, and `except NotFound` also catches `UnknownSubject`, whose type
    is another: an error whose type is not in `allowed` is raised again, answered as a top-level
    error with its own `code` rather than as a union member Strawberry cannot resolve (which
    clients would see as INTERNAL). (Overloads per domain class cannot type this soundly: mypy
    reports a subclass's overload as overlapping its base's with an incompatible return type.)"""
    mapped = _convert(exc, given)
    if allowed is not None and not isinstance(mapped, allowed):
        logger.warning("%s is not a member of the result union %s", type(mapped).__name__, allowed)
        raise exc
    return mapped


def _convert(exc: errors.DomainError, given: str) -> UserError:
    for cls in type(exc).__mro__:
        shown = MAPPING.get(cls)
        if shown is not None:
            return shown.make(exc, given)
    raise TypeError(f"{type(exc).__name__} has no GraphQL error type; add one to schema/errors.py") from exc
