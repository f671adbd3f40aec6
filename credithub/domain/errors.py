"""Domain errors, grouped by what the caller can do about them.

    DomainError
    ├── InvalidInput              fix the input and send it again
    │   ├── InvalidIdentifier     a credit code or resident ID failed a named check
    │   ├── InvalidId             an opaque hub id (sub_…, rec_…) is malformed
    │   ├── InvalidCursor         a pagination cursor the hub did not issue
    │   ├── InvalidPageSize       `first` is outside the allowed range
    │   ├── BatchTooLarge         more items in one request than allowed
    │   ├── InvalidListBasis      the records given cannot support a listing
    │   ├── PurposeRequired       a platform asked for a credit report without saying why
    │   └── InvalidValue          any other field value the hub cannot accept
    ├── NotFound                  the thing named does not exist (or is not visible to you)
    │   ├── UnknownPlatform
    │   ├── UnknownSubject
    │   └── NotYetKnown           not received yet: events may arrive out of order
    ├── Conflict                  the change collides with existing state
    │   ├── AlreadyExists
    │   ├── TransitionNotAllowed  the record's status does not allow this step
    │   ├── IdentityConflict      an account or code already belongs to another identity
    │   ├── RepairTooEarly        the minimum publicity period has not passed
    │   └── NotRepairable         the law (or the record's nature) excludes repair
    ├── PermissionDenied          your role may not do this
    └── Unavailable               the hub cannot go on with this now; try again
        └── LiveFeedLost          a subscription missed changes: reload, then subscribe again

Each error carries fields, not just text; `code` is the stable machine-readable name
that GraphQL clients and HTTP responses show.
"""

from __future__ import annotations

import datetime as dt


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "DOMAIN_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def details(self) -> dict[str, str]:
        """Structured fields for clients, besides `code` and `message`."""
        return {}


class InvalidInput(DomainError):
    """The input cannot be accepted; the message says which field and why."""

    code = "INVALID_INPUT"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def details(self) -> dict[str, str]:
        return {"field": self.field} if self.field else {}


class InvalidIdentifier(InvalidInput):
    """A credit code (USCC) or resident ID failed one of its named checks."""

    code = "INVALID_IDENTIFIER"

    def __init__(self, kind: str, check: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.kind = kind
        self.check = check

    def details(self) -> dict[str, str]:
        return {**super().details(), "identifier": self.kind, "check": self.check}


class InvalidId(InvalidInput):
    """An opaque hub id does not have the expected prefix and number."""

    code = "INVALID_ID"


class InvalidCursor(InvalidInput):
    """A pagination cursor was not issued by this hub for this list."""

    code = "INVALID_CURSOR"


class InvalidPageSize(InvalidInput):
    """`first` is below 0 or above the page limit of the list."""

    code = "INVALID_PAGE_SIZE"


class InvalidValue(InvalidInput):
    """A field value is outside what the hub accepts (unknown enum, bad format, …)."""

    code = "INVALID_VALUE"


class NotFound(DomainError):
    """The thing named does not exist, or the caller may not know that it exists."""

    code = "NOT_FOUND"


class UnknownPlatform(NotFound):
    """No platform is registered under this code."""

    code = "UNKNOWN_PLATFORM"

    def __init__(self, platform: str) -> None:
        super().__init__(f"no platform is registered under code {platform!r}")
        self.platform = platform


class Conflict(DomainError):
    """The change collides with the existing state."""

    code = "CONFLICT"


class AlreadyExists(Conflict):
    """Something with the same unique key already exists."""

    code = "ALREADY_EXISTS"


class PermissionDenied(DomainError):
    """The caller's role does not allow this operation."""

    code = "FORBIDDEN"


class BatchTooLarge(InvalidInput):
    """A batch asks for more items than one request may."""

    code = "BATCH_TOO_LARGE"

    def __init__(self, size: int, limit: int, *, field: str) -> None:
        super().__init__(f"{field} holds {size} items; at most {limit} per request", field=field)
        self.size = size
        self.limit = limit


class UnknownSubject(NotFound):
    """No subject is registered under this identifier."""

    code = "UNKNOWN_SUBJECT"

    def __init__(self, identifier: str) -> None:
        super().__init__(f"no subject is registered under {identifier}")
        self.identifier = identifier


class InvalidListBasis(InvalidInput):
    """The records given cannot support this listing (wrong subject, severity, status or kind)."""

    code = "INVALID_LIST_BASIS"


class PurposeRequired(InvalidInput):
    """A platform asks for a credit report without stating its purpose (onboarding, payout, …)."""

    code = "PURPOSE_REQUIRED"


class TransitionNotAllowed(Conflict):
    """The record's current status does not allow this step (e.g. an objection on a withdrawn record)."""

    code = "TRANSITION_NOT_ALLOWED"

    def __init__(self, state: str, event: str) -> None:
        super().__init__(f"a record in status {state} does not allow {event}")
        self.state = state
        self.event = event

    def details(self) -> dict[str, str]:
        return {"state": self.state, "event": self.event}


class IdentityConflict(Conflict):
    """An account or identifier already belongs to a subject of another identity or kind."""

    code = "IDENTITY_CONFLICT"


class NotYetKnown(NotFound):
    """The event refers to something the hub has not received yet (events may arrive out of order)."""

    code = "NOT_YET_KNOWN"


class RepairTooEarly(Conflict):
    """Credit repair is possible only once the record's minimum publicity period has passed."""

    code = "REPAIR_TOO_EARLY"

    def __init__(self, allowed_from: dt.datetime, rule_set: str) -> None:
        super().__init__(
            f"repair can be applied for from {allowed_from.isoformat()} (the minimum publicity period under {rule_set})"
        )
        self.allowed_from = allowed_from
        self.rule_set = rule_set

    def details(self) -> dict[str, str]:
        return {"allowedFrom": self.allowed_from.isoformat(), "ruleSet": self.rule_set}


class NotRepairable(Conflict):
    """This record cannot be repaired: the law excludes its category, or it is not negative."""

    code = "NOT_REPAIRABLE"


class Unavailable(DomainError):
    """The hub cannot go on with this now; the same request later may succeed."""

    code = "UNAVAILABLE"


class LiveFeedLost(Unavailable):
    """A live subscription can no longer promise every change: the feed was interrupted, or the
    subscriber read too slowly and changes queued up. It ends; the client reloads what it shows
    and subscribes again."""

    code = "LIVE_FEED_LOST"

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason

    def details(self) -> dict[str, str]:
        return {"reason": self.reason}
