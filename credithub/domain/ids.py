"""Opaque public ids. Rows are numbered internally; clients see a typed prefix and the number,
so a record id can never be mistaken for a subject id (`sub_42` vs `rec_42`)."""

from __future__ import annotations

from enum import StrEnum

from credithub.domain.errors import InvalidId


class IdKind(StrEnum):
    SUBJECT = "sub"
    ACCOUNT = "acc"
    RECORD = "rec"
    SIGNING = "sig"
    CLIENT = "cli"
    LIST_ENTRY = "lst"
    OBJECTION = "obj"
    REPAIR = "rep"
    DEFENCE = "dfn"
    EXIT_REVIEW = "exr"
    AUDIT_READ = "ard"
    AUDIT_WRITE = "awr"
    NOTICE = "ntc"
    COMMITMENT = "cmt"


def format_id(kind: IdKind, number: int) -> str:
    return f"{kind.value}_{number}"


def parse_id(kind: IdKind, raw: str, *, field_name: str = "id") -> int:
    """`sub_42` → 42 for `IdKind.SUBJECT`; anything else raises `InvalidId`."""
    prefix, _, digits = raw.strip().partition("_")
    if prefix != kind.value or not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        raise InvalidId(f"{field_name} must look like {kind.value}_<number>, got {raw[:40]!r}", field=field_name)
    return int(digits)


def parse_optional_id(kind: IdKind, raw: str | None, *, field_name: str = "id") -> int | None:
    """`parse_id` for an optional argument: None stays None."""
    return parse_id(kind, raw, field_name=field_name) if raw is not None else None
