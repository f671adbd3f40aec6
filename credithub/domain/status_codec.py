"""A computed CreditStatus as JSON, for the status store (and anyone reading it in SQL), the
shared status cache and the flag feed.

The form is `codec`'s, derived from `CreditStatus` and `Flag`, with the short keys and the
array for `via` that statuses were stored with before (`STORED`): documents already in the
store, the cache and `flag_changes` read back unchanged, and SQL that reads them (the flag feed's
`flag_feed_key`) finds the keys it knows.

`decode_status(encode_status(s)) == s` for every status; a stored document of another format
version decodes to None, and the caller computes the status again.
"""

from __future__ import annotations

from typing import Any, Final

from credithub.domain import codec
from credithub.domain.flags import CreditStatus, Flag
from credithub.domain.spans import Via

FORMAT_VERSION: Final = 2  # 2: legal-basis levels and the inter-platform list

STORED: Final = codec.Codec(
    {
        CreditStatus: codec.Shape(
            stamp={"v": FORMAT_VERSION},
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
    if raw.get("v") != FORMAT_VERSION:
        return None
    return _decode_status(raw)
