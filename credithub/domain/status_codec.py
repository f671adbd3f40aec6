"""A computed CreditStatus as JSON, for the status store (and anyone reading it in SQL), the
shared status cache and the flag feed.

The form is `codec`'s, derived from `CreditStatus` and `Flag`, with the short keys and the
array for `via` that statuses were stored with before (`STORED`): documents already in the
store, the cache and `flag_changes` read back unchanged, and SQL that reads them (the flag feed's
`flag_feed_key`) finds the keys it knows.

`decode_status(encode_status(s)) == s` for every status; a stored document of another format
version decodes to None, and the caller computes the status again.

A stored status can also be answered without decoding it (`StoredStatus`, `stored_key`): the
credit status batch splices the fields of a selection straight from this form.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from credithub.domain import codec
from credithub.domain.flags import CreditStatus, Flag, is_current_at
from credithub.domain.measures import Scope
from credithub.domain.spans import Via

FORMAT_VERSION: Final = 2  # 2: legal-basis levels and the inter-platform list
_VERSION: Final = "v"  # the key of the format version

STORED: Final = codec.Codec(
    {
        CreditStatus: codec.Shape(
            stamp={_VERSION: FORMAT_VERSION},
            keys={
                "subject_id": "subject",
                "rule_set": "rules",
                "on_serious_dishonest_list": "serious_list",
                "on_joint_constraint_list": "joint_list",
                "on_red_list": "red_list",
            },
        ),
        Flag: codec.Shape(
            inline={"legal_basis": {"text": "basis", "reference": "basis_ref"}},
            keys={
                "legal_basis_level": "level",
                "source_platform": "platform",
                "source_authority": "authority",
                "record_ids": "records",
                "list_entry_ids": "entries",
                "effective_from": "from",
                "effective_until": "until",
                "not_enforced_reason": "not_enforced",
            },
        ),
        Via: codec.Shape(positional=True),  # [relation, subject_id, subject_kind, subject_name]
    }
)
_encode_status: Final = STORED.encoder(CreditStatus)
_decode_status: Final = STORED.decoder(CreditStatus)
encode_flag: Final = STORED.encoder(Flag)
decode_flag: Final = STORED.decoder(Flag)


def encode_status(status: CreditStatus) -> dict[str, Any]:
    return _encode_status(status)  # type: ignore[no-any-return]


def decode_status(raw: dict[str, Any]) -> CreditStatus | None:
    """The status, or None when the document is of another format version."""
    if raw.get(_VERSION) != FORMAT_VERSION:
        return None
    return _decode_status(raw)


def stored_key(cls: type, name: str, inner: str | None = None) -> str | int:
    """Where the stored form of a CreditStatus, Flag or Via keeps the field `name` (`inner`: of
    the inlined field `name`)."""
    return STORED.key(cls, name, inner)


def _object_key(cls: type, name: str) -> str:
    key = stored_key(cls, name)
    assert isinstance(key, str), f"{cls.__name__} is stored as an object"
    return key


_AS_OF: Final = _object_key(CreditStatus, "as_of")
_STABLE_UNTIL: Final = _object_key(CreditStatus, "stable_until")
_SUBJECT: Final = _object_key(CreditStatus, "subject_id")
_FLAGS: Final = _object_key(CreditStatus, "flags")
_SCOPE: Final = _object_key(Flag, "scope")
_SOURCE_PLATFORM: Final = _object_key(Flag, "source_platform")


@dataclass(frozen=True, slots=True)
class StoredStatus:
    """A stored status (`encode_status`'s form, as read) taken as the subject's status at
    `as_of`, without decoding it: decoded, it is `decoded()`."""

    subject_id: int
    as_of: dt.datetime
    stored: dict[str, Any]

    def decoded(self) -> CreditStatus:
        status = decode_status(self.stored)
        assert status is not None, "read_stored takes only documents of this format version"
        return dataclasses.replace(status, as_of=self.as_of)


def read_stored(raw: dict[str, Any], at: dt.datetime) -> StoredStatus | None:
    """`raw` as the status at `at`, when it is of this format version and still current at `at`
    (`is_current_at`, the rule every cached status is served by); else None."""
    if raw.get(_VERSION) != FORMAT_VERSION:
        return None
    until = raw[_STABLE_UNTIL]
    stable_until = None if until is None else dt.datetime.fromisoformat(until)
    if not is_current_at(dt.datetime.fromisoformat(raw[_AS_OF]), stable_until, at):
        return None
    return StoredStatus(raw[_SUBJECT], at, raw)


def read_stored_flags(stored: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """The flags of a stored status, each in its stored form."""
    return tuple(stored[_FLAGS])


def read_flag_audience(raw_flag: dict[str, Any]) -> tuple[Scope, str | None]:
    """The scope and the source platform of a stored flag: what decides who sees it."""
    return Scope(raw_flag[_SCOPE]), raw_flag[_SOURCE_PLATFORM]
