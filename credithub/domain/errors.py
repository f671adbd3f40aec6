"""Domain errors, grouped by what the caller can do about them.

    DomainError
    ├── InvalidInput              fix the input and send it again
    │   ├── InvalidIdentifier     a credit code or resident ID failed a named check
    │   ├── InvalidId             an opaque hub id (sub_…, rec_…) is malformed
    │   ├── InvalidCursor         a pagination cursor the hub did not issue
    │   ├── InvalidPageSize       `first` is outside the allowed range
    │   ├── BatchTooLarge         more items in one request than allowed
    │   ├── QueryTooCostly        a GraphQL request asks for too many objects at once
    │   ├── InvalidListBasis      the records given cannot support a listing
    │   ├── PurposeRequired       a platform asked for a credit report without saying why
    │   ├── LegalBasisInsufficient the legal basis ranks too low for what it would ground
    │   ├── ValidityTooLong       an end date past the longest the rules allow
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
    │   ├── ViolationConflict     a violation id reported again with other content
    │   ├── NotRepairable         the law (or the record's nature) excludes repair
    │   ├── DefenceWindowOpen     the subject may still state its defence: decide after the deadline
    │   ├── DefenceWindowClosed   the deadline for a defence has passed, or the proposal was decided
    │   ├── ListingConflict       a red-list entry and a blacklist cannot hold the same subject
    │   └── NoSuchFlag            the subject carries no such measure for that platform then
    ├── PermissionDenied          your role may not do this (or not on what you filed yourself)
    ├── RateLimited               slow down: retry after the seconds given
    ├── TooManySubscriptions      end a live subscription before opening another
    └── Unavailable               the hub cannot go on with this now; try again
        ├── LiveFeedLost          a subscription missed changes: reload, then subscribe again
        └── StatusUnavailable     this subject's status cannot be computed; it is parked

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
    """The caller's role does not allow this operation: outside its authority, about a subject it
    does not speak for, or a decision on what it filed itself."""

    code = "PERMISSION_DENIED"


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


class LegalBasisInsufficient(InvalidInput):
    """The legal basis ranks too low: a mandatory restriction needs a law, an administrative
    regulation or a local regulation; a serious-dishonest designation needs a public instrument."""

    code = "LEGAL_BASIS_INSUFFICIENT"

    def __init__(self, message: str, *, level: str, field: str = "legalBasisLevel") -> None:
        super().__init__(message, field=field)
        self.level = level

    def details(self) -> dict[str, str]:
        return {**super().details(), "level": self.level}


class ValidityTooLong(InvalidInput):
    """An end date lies past the longest the rules allow (e.g. a listing past the publicity window
    of the records it rests on)."""

    code = "VALIDITY_TOO_LONG"

    def __init__(self, message: str, *, latest: dt.datetime, field: str = "validUntil") -> None:
        super().__init__(message, field=field)
        self.latest = latest

    def details(self) -> dict[str, str]:
        return {**super().details(), "latest": self.latest.isoformat()}


class DefenceWindowOpen(Conflict):
    """A listing is decided only once the subject has had its say: after the defence deadline."""

    code = "DEFENCE_WINDOW_OPEN"

    def __init__(self, deadline: dt.datetime) -> None:
        super().__init__(f"the subject may state its defence until {deadline.isoformat()}; decide after that")
        self.deadline = deadline

    def details(self) -> dict[str, str]:
        return {"deadline": self.deadline.isoformat()}


class DefenceWindowClosed(Conflict):
    """A defence comes too late: its deadline has passed, or the proposal was already decided."""

    code = "DEFENCE_WINDOW_CLOSED"


class ListingConflict(Conflict):
    """The red list and a blacklist never hold the same subject, and a red entry cannot stand
    beside a general or serious record in force."""

    code = "LISTING_CONFLICT"


class NoSuchFlag(Conflict):
    """Execution feedback names a measure the subject does not carry for that platform at that instant."""

    code = "NO_SUCH_FLAG"


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


class StatusUnavailable(Unavailable):
    """A subject's credit status cannot be computed (one of its facts is one the engine cannot
    read). The subject is parked for the hub's operators; every other subject is unaffected."""

    code = "STATUS_UNAVAILABLE"

    def __init__(self, subject: str) -> None:
        super().__init__(f"the credit status of {subject} cannot be computed now; it is parked for the hub's operators")
        self.subject = subject

    def details(self) -> dict[str, str]:
        return {"subject": self.subject}


class RateLimited(DomainError):
    """The client sent more requests or operations than its rate allows; it may retry after `retry_after` seconds."""

    code = "RATE_LIMITED"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests from this client; retry after {retry_after} s")
        self.retry_after = retry_after

    def details(self) -> dict[str, str]:
        return {"retryAfter": str(self.retry_after)}


class TooManySubscriptions(DomainError):
    """The client already holds as many live subscriptions on this instance as it may."""

    code = "TOO_MANY_SUBSCRIPTIONS"

    def __init__(self, limit: int) -> None:
        super().__init__(f"a client may hold at most {limit} subscriptions at once; end one first")
        self.limit = limit

    def details(self) -> dict[str, str]:
        return {"limit": str(self.limit)}


class QueryTooCostly(InvalidInput):
    """A GraphQL request asks for more objects than one request may (lists counted by the size asked for)."""

    code = "QUERY_TOO_COSTLY"

    def __init__(self, cost: int, limit: int) -> None:
        super().__init__(
            f"this request asks for about {cost} objects; at most {limit} per request: "
            "ask for smaller pages or batches, or split it"
        )
        self.cost = cost
        self.limit = limit

    def details(self) -> dict[str, str]:
        return {"cost": str(self.cost), "limit": str(self.limit)}


class ViolationConflict(Conflict):
    """A platform reported a violation under an id it already used, with other content. Reports
    are never silently replaced: revoke the first one, or report under a new id."""

    code = "VIOLATION_CONFLICT"

    def __init__(self, violation_id: str) -> None:
        super().__init__(
            f"violation {violation_id!r} was reported before with other content; a report is not replaced: "
            "revoke it (violation.revoked) and report the correction under a new violation id"
        )
        self.violation_id = violation_id

    def details(self) -> dict[str, str]:
        return {"violationId": self.violation_id}
