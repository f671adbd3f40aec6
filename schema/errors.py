"""Typed errors: every `DomainError` has a GraphQL type implementing `UserError`, so a client
can handle a result union member it does not know yet by `message` and `code`."""

from __future__ import annotations

import datetime as dt

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


@strawberry.type(description="The hub cannot go on with this now; try again.")
class UnavailableError(UserError):
    pass


@strawberry.type(description="A live subscription missed changes: reload, then subscribe again.")
class LiveFeedLostError(UserError):
    reason: str = strawberry.field(description="INTERRUPTED or TOO_SLOW.")


def from_domain(exc: errors.DomainError, *, given: str = "") -> UserError:
    """The GraphQL error type for a domain error (the most specific class wins)."""
    match exc:
        case errors.InvalidIdentifier():
            shown = given if exc.kind != "RESIDENT_ID" else ""
            return InvalidIdentifierError(
                message=exc.message, code=exc.code, field=exc.field, identifier=exc.kind, check=exc.check, input=shown
            )
        case errors.BatchTooLarge():
            return BatchTooLargeError(message=exc.message, code=exc.code, field=exc.field, limit=exc.limit)
        case errors.InvalidId():
            return InvalidIdError(message=exc.message, code=exc.code, field=exc.field)
        case errors.InvalidCursor():
            return InvalidCursorError(message=exc.message, code=exc.code, field=exc.field)
        case errors.InvalidPageSize():
            return InvalidPageSizeError(message=exc.message, code=exc.code, field=exc.field)
        case errors.InvalidListBasis():
            return InvalidListBasisError(message=exc.message, code=exc.code, field=exc.field)
        case errors.PurposeRequired():
            return PurposeRequiredError(message=exc.message, code=exc.code, field=exc.field)
        case errors.InvalidValue():
            return InvalidValueError(message=exc.message, code=exc.code, field=exc.field)
        case errors.InvalidInput():
            return InvalidInputError(message=exc.message, code=exc.code, field=exc.field)
        case errors.UnknownPlatform():
            return UnknownPlatformError(message=exc.message, code=exc.code, platform=exc.platform)
        case errors.NotYetKnown():
            return NotYetKnownError(message=exc.message, code=exc.code)
        case errors.UnknownSubject():
            return UnknownSubjectError(message=exc.message, code=exc.code, input=given or exc.identifier)
        case errors.NotFound():
            return NotFoundError(message=exc.message, code=exc.code)
        case errors.TransitionNotAllowed():
            return TransitionNotAllowedError(message=exc.message, code=exc.code, state=exc.state, event=exc.event)
        case errors.RepairTooEarly():
            return RepairTooEarlyError(
                message=exc.message, code=exc.code, allowed_from=exc.allowed_from, rule_set=exc.rule_set
            )
        case errors.NotRepairable():
            return NotRepairableError(message=exc.message, code=exc.code)
        case errors.IdentityConflict():
            return IdentityConflictError(message=exc.message, code=exc.code)
        case errors.AlreadyExists():
            return AlreadyExistsError(message=exc.message, code=exc.code)
        case errors.Conflict():
            return ConflictError(message=exc.message, code=exc.code)
        case errors.PermissionDenied():
            return PermissionDeniedError(message=exc.message, code=exc.code)
        case errors.LiveFeedLost():
            return LiveFeedLostError(message=exc.message, code=exc.code, reason=exc.reason)
        case errors.Unavailable():
            return UnavailableError(message=exc.message, code=exc.code)
    raise TypeError(f"{type(exc).__name__} has no GraphQL error type; add one to schema/errors.py") from exc
