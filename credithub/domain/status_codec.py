"""A computed CreditStatus as JSON, for the status store (and anyone reading it in SQL).

`decode_status(encode_status(s)) == s` for every status; a stored document of another format
version decodes to None, and the caller computes the status again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from credithub.domain.flags import CreditStatus, Flag
from credithub.domain.measures import MeasureKind, Scope, Tier
from credithub.domain.records import LegalBasis, LegalBasisLevel
from credithub.domain.spans import Via
from credithub.domain.subjects import RelationKind, SubjectKind

FORMAT_VERSION: Final = 2  # 2: legal-basis levels and the inter-platform list


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value is not None else None


def encode_flag(flag: Flag) -> dict[str, Any]:
    via = flag.via
    return {
        "measure": flag.measure,
        "kind": flag.kind.value,
        "mandatory": flag.mandatory,
        "scope": flag.scope.value,
        "basis": flag.legal_basis.text,
        "basis_ref": flag.legal_basis.reference,
        "level": flag.legal_basis_level.value,
        "platform": flag.source_platform,
        "authority": flag.source_authority,
        "via": [via.relation.value, via.subject_id, via.subject_kind.value, via.subject_name] if via else None,
        "records": list(flag.record_ids),
        "entries": list(flag.list_entry_ids),
        "from": _time(flag.effective_from),
        "until": _time(flag.effective_until),
        "enforced": flag.enforced,
        "not_enforced": flag.not_enforced_reason,
        "reason": flag.reason,
    }


def decode_flag(raw: dict[str, Any]) -> Flag:
    via = raw["via"]
    effective_from = _parse_time(raw["from"])
    assert effective_from is not None
    return Flag(
        measure=raw["measure"],
        kind=MeasureKind(raw["kind"]),
        mandatory=raw["mandatory"],
        scope=Scope(raw["scope"]),
        legal_basis=LegalBasis(raw["basis"], raw["basis_ref"]),
        legal_basis_level=LegalBasisLevel(raw["level"]),
        source_platform=raw["platform"],
        source_authority=raw["authority"],
        via=Via(RelationKind(via[0]), via[1], SubjectKind(via[2]), via[3]) if via else None,
        record_ids=tuple(raw["records"]),
        list_entry_ids=tuple(raw["entries"]),
        effective_from=effective_from,
        effective_until=_parse_time(raw["until"]),
        enforced=raw["enforced"],
        not_enforced_reason=raw["not_enforced"],
        reason=raw["reason"],
    )


def encode_status(status: CreditStatus) -> dict[str, Any]:
    return {
        "v": FORMAT_VERSION,
        "subject": status.subject_id,
        "as_of": _time(status.as_of),
        "rules": status.rule_set,
        "tier": status.tier.value,
        "tier_reason": status.tier_reason,
        "serious_list": status.on_serious_dishonest_list,
        "joint_list": status.on_joint_constraint_list,
        "red_list": status.on_red_list,
        "flags": [encode_flag(flag) for flag in status.flags],
        "stable_until": _time(status.stable_until),
    }


def decode_status(raw: dict[str, Any]) -> CreditStatus | None:
    """The status, or None when the document is of another format version."""
    if raw.get("v") != FORMAT_VERSION:
        return None
    as_of = _parse_time(raw["as_of"])
    assert as_of is not None
    return CreditStatus(
        subject_id=raw["subject"],
        as_of=as_of,
        rule_set=raw["rules"],
        tier=Tier(raw["tier"]),
        tier_reason=raw["tier_reason"],
        on_serious_dishonest_list=raw["serious_list"],
        on_joint_constraint_list=raw["joint_list"],
        on_red_list=raw["red_list"],
        flags=tuple(decode_flag(flag) for flag in raw["flags"]),
        stable_until=_parse_time(raw["stable_until"]),
    )
