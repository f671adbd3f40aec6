"""Identifiers of credit subjects: the Unified Social Credit Code and the resident ID.

`parse_credit_code` and `parse_resident_id` turn raw text into a value object or raise
`InvalidIdentifier` naming the check that failed. python-stdnum supplies the resident-ID
arithmetic; for the credit code it lacks the organization-code check character (GB 11714,
position 17), the registration-authority/category pair, and letters in positions 1-8 (GB 32100
draws every position from its 31-character alphabet, python-stdnum wants digits there), and its
mod-31 check costs ~30 µs a code, a third of a 1,000-code batch; so both check characters are
computed here from tables (stdnum's `calc_check_digit` is the oracle in the tests).

A resident ID is personal data. It never appears in a message, a repr or a log line; the
edge turns it into `compute_person_hash(...)` at once and drops the number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import operator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from credithub.domain.errors import InvalidIdentifier

USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_LENGTH: Final = 18
USCC_WEIGHTS: Final = tuple(pow(3, position, 31) for position in range(17))  # 3^(i-1) mod 31
ORGANIZATION_CODE_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
_USCC_VALUES: Final = {char: value for value, char in enumerate(USCC_ALPHABET)}
# GB 11714 values letters over the full Latin alphabet (A=10 … Z=35), unlike GB 32100.
_ORGANIZATION_VALUES: Final = {char: int(char, 36) for char in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}

# Registration authority (position 1) → entity categories (position 2) it may issue.
# GB 32100-2015 with its amendment No. 1, as tabulated by ntnyq/uscc-utils and a second published table.
# `Y` (other authorities) has no published category list; 1 and 9 are what codes in use carry.
REGISTRATION_CATEGORIES: Final[dict[str, frozenset[str]]] = {
    "1": frozenset("1239"),  # institutional staffing: organs, public institutions, mass organisations
    "2": frozenset("19"),  # foreign affairs
    "3": frozenset("123459"),  # judicial administration: law firms, notaries, arbitration …
    "4": frozenset("19"),  # culture
    "5": frozenset("1239"),  # civil affairs: social organisations, private non-enterprises, foundations
    "6": frozenset("129"),  # tourism
    "7": frozenset("129"),  # religion
    "8": frozenset("19"),  # trade unions
    "9": frozenset("123"),  # market regulation: enterprise, individual business, farmers' cooperative
    "A": frozenset("19"),  # military reform and staffing office
    "N": frozenset("1239"),  # agriculture: rural collective economic organisations
    "Y": frozenset("19"),  # other authorities
}

USCC: Final = "USCC"
RESIDENT_ID: Final = "RESIDENT_ID"


class UsccCheck(StrEnum):
    """The checks a credit code must pass, in the order they are applied."""

    LENGTH = "length"
    CHARSET = "charset"
    REGISTRATION_CATEGORY = "registration_category"
    CHECK_CHARACTER = "check_character"
    ORGANIZATION_CODE = "organization_code"


class ResidentIdCheck(StrEnum):
    """The checks a resident ID must pass, in the order they are applied."""

    LENGTH = "length"
    FORMAT = "format"
    BIRTH_DATE = "birth_date"
    CHECK_DIGIT = "check_digit"


@dataclass(frozen=True, slots=True)
class CreditCode:
    """A valid 18-character Unified Social Credit Code, upper case."""

    value: str

    @property
    def registration_authority(self) -> str:
        return self.value[0]

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class ResidentId:
    """A valid resident ID number. Its repr never shows the number."""

    value: str = field(repr=False)

    @property
    def birth_date(self) -> dt.date:
        return ric.get_birth_date(self.value)

    def __str__(self) -> str:
        return "ResidentId(***)"


def _named(field_name: str | None, message: str) -> str:
    return f"{field_name}: {message}" if field_name else message


def _uscc_error(check: UsccCheck, message: str, field_name: str | None) -> InvalidIdentifier:
    return InvalidIdentifier(USCC, check.value, _named(field_name, f"invalid credit code: {message}"), field=field_name)


def compute_organization_check(body: str) -> str:
    """The GB 11714 check character for the 8-character organization-code body."""
    total = sum(map(operator.mul, map(_ORGANIZATION_VALUES.__getitem__, body), ORGANIZATION_CODE_WEIGHTS))
    remainder = 11 - total % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def compute_credit_code_check(first17: str) -> str:
    """The GB 32100 check character (position 18) for the first 17 characters of the code."""
    total = sum(map(operator.mul, map(_USCC_VALUES.__getitem__, first17), USCC_WEIGHTS))
    return USCC_ALPHABET[-total % 31]


def parse_credit_code(raw: str, *, field_name: str | None = None) -> CreditCode:
    """Validate a USCC; surrounding whitespace is stripped and lower case normalised."""
    code = raw.strip().upper()
    if len(code) != USCC_LENGTH:
        raise _uscc_error(UsccCheck.LENGTH, f"must be {USCC_LENGTH} characters, got {len(code)}", field_name)
    bad = sorted({char for char in code if char not in USCC_ALPHABET})
    if bad:
        raise _uscc_error(
            UsccCheck.CHARSET,
            f"characters {''.join(bad)!r} are not in the GB 32100 alphabet (I, O, S, V, Z are never used)",
            field_name,
        )
    if code[1] not in REGISTRATION_CATEGORIES.get(code[0], frozenset()):
        raise _uscc_error(
            UsccCheck.REGISTRATION_CATEGORY,
            f"registration authority {code[0]!r} with entity category {code[1]!r} is not a known pair",
            field_name,
        )
    if code[17] != compute_credit_code_check(code[:17]):
        raise _uscc_error(UsccCheck.CHECK_CHARACTER, "check character (position 18) does not match", field_name)
    if code[16] != compute_organization_check(code[8:16]):
        raise _uscc_error(
            UsccCheck.ORGANIZATION_CODE,
            "organization code check character (position 17, GB 11714) does not match",
            field_name,
        )
    return CreditCode(code)


def _id_error(check: ResidentIdCheck, message: str, field_name: str | None) -> InvalidIdentifier:
    return InvalidIdentifier(
        RESIDENT_ID, check.value, _named(field_name, f"invalid resident ID: {message}"), field=field_name
    )


def parse_resident_id(raw: str, *, today: dt.date | None = None, field_name: str | None = None) -> ResidentId:
    """Validate a GB 11643 resident ID. Messages never repeat the number."""
    number = raw.strip().upper()
    if len(number) != 18:
        raise _id_error(ResidentIdCheck.LENGTH, f"must be 18 characters, got {len(number)}", field_name)
    if not (number[:17].isascii() and number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        raise _id_error(ResidentIdCheck.FORMAT, "must be 17 digits followed by a digit or X", field_name)
    try:
        birth_date = ric.get_birth_date(number)
    except ValidationError:
        raise _id_error(
            ResidentIdCheck.BIRTH_DATE, "birth date (positions 7-14) is not a real date", field_name
        ) from None
    if today is not None and birth_date > today:
        raise _id_error(ResidentIdCheck.BIRTH_DATE, "birth date (positions 7-14) is in the future", field_name)
    if number[17] != ric.calc_check_digit(number):
        raise _id_error(ResidentIdCheck.CHECK_DIGIT, "check digit (position 18) does not match", field_name)
    return ResidentId(number)


def compute_person_hash(resident_id: ResidentId, key: bytes) -> bytes:
    """The keyed hash that stands for a person everywhere in the hub: HMAC-SHA256(key, id)."""
    return hmac.new(key, resident_id.value.encode("ascii"), hashlib.sha256).digest()
