"""Credit subjects, their platform accounts, and the relations that link them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from credithub.domain.errors import InvalidValue
from credithub.domain.texts import check_storable


class SubjectKind(StrEnum):
    MERCHANT = "MERCHANT"
    ANCHOR = "ANCHOR"
    MCN_AGENCY = "MCN_AGENCY"


class AccountStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    CLOSED = "CLOSED"


class RelationKind(StrEnum):
    MCN_SIGNING = "MCN_SIGNING"
    LEGAL_REPRESENTATIVE = "LEGAL_REPRESENTATIVE"


@dataclass(frozen=True, slots=True)
class Subject:
    """A merchant, MCN agency (both with a credit code) or anchor (a person, by keyed hash)."""

    id: int
    kind: SubjectKind
    name: str
    credit_code: str | None
    person_id: int | None
    created_at: dt.datetime
    facts_version: int  # moves whenever anything its credit status depends on changes


@dataclass(frozen=True, slots=True)
class Account:
    """A subject's account on one platform; (platform, external_id) is unique."""

    id: int
    subject_id: int
    platform: str
    external_id: str
    status: AccountStatus
    display_name: str | None
    opened_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Validity:
    """A half-open interval [valid_from, valid_to); `valid_to` None means still in force."""

    valid_from: dt.datetime
    valid_to: dt.datetime | None

    def in_force_at(self, instant: dt.datetime) -> bool:
        """Twin of the SQL function `period_in_force` (migration 0026): change both or neither."""
        return self.valid_from <= instant and (self.valid_to is None or instant < self.valid_to)


@dataclass(frozen=True, slots=True)
class Signing:
    """An MCN agency has signed an anchor for a period."""

    id: int
    agency_id: int
    anchor_id: int
    validity: Validity
    source_platform: str | None


@dataclass(frozen=True, slots=True)
class SubjectFilter:
    """Which subjects a list shows; None means no restriction. `tier` is the stored tier (kept
    current by the status refresher); `on_list` is a list the subject is on at `at`."""

    kind: SubjectKind | None = None
    platform: str | None = None
    name_contains: str | None = None
    tier: str | None = None
    on_list: str | None = None
    at: dt.datetime | None = None
    visible_to_platform: str | None = None  # minimal disclosure: a platform lists only its own subjects
    only_subject: int | None = None  # a subject client lists only itself


MAX_NAME_SEARCH: Final = 100


def parse_name_search(raw: str | None) -> str | None:
    """A `nameContains` search: at most MAX_NAME_SEARCH characters (names are at most 200), or
    InvalidValue. A longer pattern only costs the database time: no name could contain it."""
    name = raw.strip() if raw else None
    if not name:
        return None
    if len(name) > MAX_NAME_SEARCH:
        raise InvalidValue(
            f"filter.nameContains must be at most {MAX_NAME_SEARCH} characters", field="filter.nameContains"
        )
    return check_storable(name, "filter.nameContains")
