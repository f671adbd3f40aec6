"""Public authorities' decisions in the dual-publicity (双公示) exchange format.

One row of an export is one decision about one subject, keyed by (authority, decision document
number): administrative penalties (`CF_` fields, both generations of field names) and positive
records (A-level taxpayer, red list, credit commitment: 数据类别, 认定文号, 认定时间, 认定单位,
有效期限). `parse_row` turns a row into an `AuthorityDecision` or raises an `InvalidInput` that
names the field, so an importer can refuse the row with its line and reason and go on.

What the exchange format does not say is configuration here, never guessed:
- severity: a `SEVERITY` column, or the penalty classes (处罚类别) through a severity map the
  importer loads from a file (the most severe class of a decision wins: one decision with
  several penalty types takes the longest period);
- category: a `CATEGORY` column; a penalty row without one is ADMINISTRATIVE_PENALTY;
- removal: `CF_ZT` (当前状态) or `REMOVAL` says the authority revoked the decision (the record
  is WITHDRAWN) or stopped publishing it after credit repair (REPAIRED).

Dates without a time are days in China (UTC+8). A decision counts from its decision date; the
end of publicity (公示截止期) is inclusive: the record is shown through that whole day.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from json.encoder import encode_basestring
from typing import Final

from credithub.domain.clients import Client, Role
from credithub.domain.errors import InvalidValue, PermissionDenied
from credithub.domain.identifiers import compute_person_hash, parse_credit_code, parse_resident_id
from credithub.domain.records import Category, LegalBasis, Severity
from credithub.domain.texts import check_storable

CHINA: Final = dt.timezone(dt.timedelta(hours=8))
EARLIEST: Final = dt.datetime(1990, 1, 1, tzinfo=CHINA)
MAX_TEXT: Final = 4000
MAX_REF: Final = 200
MAX_NAME: Final = 200


class Removal(StrEnum):
    """A removal notice: the authority revoked the decision, or ended its publicity after repair."""

    WITHDRAW = "WITHDRAW"
    REPAIR = "REPAIR"


class DecisionOutcome(StrEnum):
    """What recording a decision did."""

    CREATED = "CREATED"
    UPDATED = "UPDATED"  # a changed re-publication: a new version, the old one kept
    UNCHANGED = "UNCHANGED"
    WITHDRAWN = "WITHDRAWN"
    REPAIRED = "REPAIRED"


# Field names of both generations of the export, first match wins. Older exports (2016-2019)
# name the authority CF_XZJG, the legal representative CF_FR, the penalty classes CF_CFLB1/2.
FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "name": ("CF_XDR_MC", "XDR_MC", "主体名称", "行政相对人名称"),
    "credit_code": ("CF_XDR_SHXYM", "XDR_SHXYM", "统一社会信用代码"),
    "id_number": ("CF_XDR_ZJHM", "XDR_ZJHM", "证件号码"),
    "decision_number": ("CF_WSH", "认定文号", "决定文书号"),
    "authority": ("CF_CFJG", "CF_XZJG", "认定单位"),
    "decided_on": ("CF_JDRQ", "认定时间", "决定日期"),
    "publicity_until": ("CF_GSJZQ", "有效期限", "公示截止期"),
    "legal_basis": ("CF_YJ", "认定依据", "处罚依据"),
    "violation": ("CF_WFXW", "CF_CFMC"),
    "facts": ("CF_SY",),
    "penalty": ("CF_NR", "CF_JG"),
    "penalty_classes": ("CF_CFLB", "CF_CFLB1", "CF_CFLB2", "处罚类别"),
    "positive_kind": ("数据类别",),
    "state": ("REMOVAL", "CF_ZT", "当前状态"),
    "category": ("CATEGORY",),
    "severity": ("SEVERITY",),
}

POSITIVE_KINDS: Final[dict[str, Category]] = {
    "A级纳税人": Category.A_LEVEL_TAXPAYER,
    "A_LEVEL_TAXPAYER": Category.A_LEVEL_TAXPAYER,
    "红名单": Category.RED_LIST,
    "守信红名单": Category.RED_LIST,
    "守信激励": Category.RED_LIST,
    "RED_LIST": Category.RED_LIST,
    "信用承诺": Category.CREDIT_COMMITMENT,
    "CREDIT_COMMITMENT": Category.CREDIT_COMMITMENT,
}
# 当前状态 / REMOVAL values. Anything else not listed as in force is refused, never guessed.
STATES: Final[dict[str, Removal | None]] = {
    "": None,
    "正常": None,
    "有效": None,
    "公示中": None,
    "ACTIVE": None,
    "撤销": Removal.WITHDRAW,
    "已撤销": Removal.WITHDRAW,
    "撤回": Removal.WITHDRAW,
    "WITHDRAW": Removal.WITHDRAW,
    "信用修复": Removal.REPAIR,
    "已修复": Removal.REPAIR,
    "停止公示": Removal.REPAIR,
    "提前停止公示": Removal.REPAIR,
    "REPAIR": Removal.REPAIR,
}
SEVERITY_WORDS: Final[dict[str, Severity]] = {
    "MINOR": Severity.MINOR,
    "轻微": Severity.MINOR,
    "GENERAL": Severity.GENERAL,
    "一般": Severity.GENERAL,
    "SERIOUS": Severity.SERIOUS,
    "严重": Severity.SERIOUS,
}
_FIELD_NAMES: Final = {name: fields[0] for name, fields in FIELDS.items()}  # how refusals name a field
_CLASS_SEPARATORS: Final = re.compile(r"[;；,，、/|]+")
_DATE: Final = re.compile(r"^(\d{4})\D?(\d{1,2})\D?(\d{1,2})\D?$")
_SEVERITY_ORDER: Final = (Severity.MINOR, Severity.GENERAL, Severity.SERIOUS)


@dataclass(frozen=True, slots=True)
class AuthorityDecision:
    """One decision as the source published it, validated. The subject is named by credit code,
    or for a natural person by the keyed hash of the resident ID (the number itself is dropped)."""

    authority: str
    decision_number: str
    subject_name: str
    credit_code: str | None
    person_hash: bytes | None
    category: Category
    severity: Severity | None
    decided_at: dt.datetime
    occurred_at: dt.datetime
    publicity_until: dt.datetime | None
    legal_basis: LegalBasis
    description: str | None
    removal: Removal | None = None
    # Computed with the decision: an import parses the next batch while the database records
    # this one, so the hashing is done while the database works, not before it can start.
    _digest: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_digest", self._compute_digest())

    @property
    def key(self) -> tuple[str, str]:
        return (self.authority, self.decision_number)

    def digest(self) -> bytes:
        """SHA-256 of what the source says about the decision (not of the removal notice): the
        same row again is the same digest, a corrected one differs."""
        return self._digest

    def _compute_digest(self) -> bytes:
        """The digest (see `digest`).

        The hashed text is the JSON object `json.dumps(…, sort_keys=True, ensure_ascii=False)`
        writes for authority, basis [text, reference], category, code, decided, description,
        name, number, occurred, person (hex), severity and until (ISO 8601). Records keep the
        digest, so the text must never change; it is written out here directly (an import
        hashes every row, and building a dict for json.dumps cost more than the hash)."""
        decided = self.decided_at.isoformat()
        occurred = decided if self.occurred_at is self.decided_at else self.occurred_at.isoformat()
        until = f'"{self.publicity_until.isoformat()}"' if self.publicity_until else "null"
        quote = encode_basestring
        text = (
            f'{{"authority": {quote(self.authority)}, '
            f'"basis": [{quote(self.legal_basis.text)}, {_json(self.legal_basis.reference)}], '
            f'"category": {quote(self.category.value)}, "code": {_json(self.credit_code)}, '
            f'"decided": "{decided}", "description": {_json(self.description)}, '
            f'"name": {quote(self.subject_name)}, "number": {quote(self.decision_number)}, '
            f'"occurred": "{occurred}", "person": {_json(self.person_hash.hex() if self.person_hash else None)}, '
            f'"severity": {_json(self.severity.value if self.severity else None)}, "until": {until}}}'
        )
        return hashlib.sha256(text.encode()).digest()


def _json(text: str | None) -> str:
    """A string as json.dumps(ensure_ascii=False) writes it, or null."""
    return "null" if text is None else encode_basestring(text)


Values = dict[str, str]  # a row's fields by FIELDS name: the first non-empty one, stripped

# Which of FIELDS' alternatives a row has, by the row's field names (a file's rows share them).
_PRESENT: dict[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]] = {}
_PRESENT_MAX: Final = 64


def _values(row: Mapping[str, object]) -> Values:
    """The row's fields by FIELDS name, first match wins; names without a value are absent."""
    values: Values = {}
    for name, columns in _present(tuple(row)):
        for column in columns:
            value = row.get(column)
            if value is not None:
                text = str(value).strip()
                if text:
                    values[name] = text
                    break
    return values


def _present(names: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(FIELDS name, the row's columns for it in FIELDS' order) for the fields a row with these
    column names has; kept for the first _PRESENT_MAX sets of names."""
    present = _PRESENT.get(names)
    if present is None:
        given = set(names)
        present = tuple(
            (name, found) for name, fields in FIELDS.items() if (found := tuple(f for f in fields if f in given))
        )
        if len(_PRESENT) < _PRESENT_MAX:
            _PRESENT[names] = present
    return present


def _field(name: str) -> str:
    return _FIELD_NAMES[name]


def _text(value: str, name: str, limit: int = MAX_TEXT) -> str:
    if len(value) > limit:
        raise InvalidValue(f"{_field(name)} is longer than {limit} characters", field=_field(name))
    return check_storable(value, _field(name))


def parse_day(raw: str, name: str) -> dt.date:
    """2024-03-15, 2024/3/15, 20240315, 2024年3月15日, or an ISO 8601 instant (its day in China)."""
    text = raw.strip()
    match = _DATE.match(text)
    try:
        if match is not None:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidValue(f"{_field(name)} is not a date: {raw[:40]!r}", field=_field(name)) from None
    if instant.tzinfo is None:
        return instant.date()
    return instant.astimezone(CHINA).date()


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=CHINA).astimezone(dt.UTC)


def compute_severity(classes: str, severity_map: Mapping[str, Severity]) -> Severity:
    """The most severe of a decision's penalty classes (处罚类别, possibly several), by the map."""
    found = []
    for name in (part.strip() for part in _CLASS_SEPARATORS.split(classes)):
        if not name:
            continue
        if name not in severity_map:
            raise InvalidValue(
                f"处罚类别 {name!r} has no severity in the severity map: add it, or give SEVERITY",
                field="SEVERITY",
            )
        found.append(severity_map[name])
    if not found:
        raise InvalidValue("no SEVERITY and no 处罚类别 (CF_CFLB) to derive it from", field="SEVERITY")
    return max(found, key=_SEVERITY_ORDER.index)


def parse_severity_map(raw: object) -> dict[str, Severity]:
    """{"罚款": "GENERAL", …}: penalty class → severity."""
    if not isinstance(raw, Mapping):
        raise InvalidValue("the severity map must be a JSON object of penalty class → severity", field="severities")
    parsed = {}
    for name, value in raw.items():
        if str(name).startswith("_"):
            continue  # a comment
        if str(value) not in SEVERITY_WORDS:
            raise InvalidValue(f"severity map: {name!r} → {value!r} is not a severity", field="severities")
        parsed[str(name).strip()] = SEVERITY_WORDS[str(value)]
    return parsed


def _category(values: Values, positive: str) -> Category:
    explicit = values.get("category", "")
    if explicit:
        try:
            return Category(explicit.upper())
        except ValueError:
            raise InvalidValue(f"CATEGORY {explicit[:40]!r} is not a record category", field="CATEGORY") from None
    if positive:
        if positive not in POSITIVE_KINDS:
            raise InvalidValue(f"数据类别 {positive[:40]!r} is not a positive record kind", field="数据类别")
        return POSITIVE_KINDS[positive]
    return Category.ADMINISTRATIVE_PENALTY


def _severity(values: Values, category: Category, severity_map: Mapping[str, Severity]) -> Severity | None:
    if category.is_positive:
        return None
    explicit = values.get("severity", "")
    if explicit:
        if explicit.upper() not in SEVERITY_WORDS:
            raise InvalidValue(f"SEVERITY {explicit[:40]!r} is not MINOR, GENERAL or SERIOUS", field="SEVERITY")
        return SEVERITY_WORDS[explicit.upper()]
    classes = values.get("penalty_classes", "")
    if classes in severity_map and _CLASS_SEPARATORS.search(classes) is None:
        return severity_map[classes]  # one class: what compute_severity would find
    return compute_severity(classes, severity_map)


def _removal(values: Values) -> Removal | None:
    state = values.get("state", "")
    key = state.upper() if state.isascii() else state
    if key not in STATES:
        raise InvalidValue(f"当前状态 {state[:40]!r} is neither in force nor a removal notice", field="CF_ZT")
    return STATES[key]


def _identity(values: Values, person_key: bytes, today: dt.date) -> tuple[str | None, bytes | None]:
    code = values.get("credit_code")
    if code:
        return _credit_code(code), None
    number = values.get("id_number")
    if number:
        resident = parse_resident_id(number, today=today, field_name=_field("id_number"))
        return None, compute_person_hash(resident, person_key)
    raise InvalidValue("a decision needs the subject's credit code (CF_XDR_SHXYM) or ID number", field="CF_XDR_SHXYM")


@functools.lru_cache(maxsize=1 << 16)
def _credit_code(code: str) -> str:
    """A checked credit code (an export names each company in several rows: checked once)."""
    return parse_credit_code(code, field_name=_field("credit_code")).value


@functools.lru_cache(maxsize=1 << 12)
def _day_start(raw: str, name: str, days_later: int = 0) -> tuple[dt.date, dt.datetime]:
    """The day a date field names, and the instant `days_later` days after it starts in China
    (an export has a few thousand distinct dates: each parsed once)."""
    day = parse_day(raw, name)
    return day, _start_of(day + dt.timedelta(days=days_later))


def _required(values: Values, name: str) -> str:
    value = values.get(name)
    if not value:
        raise InvalidValue(f"{_field(name)} is required", field=_field(name))
    return value


def _description(values: Values) -> str | None:
    text = "；".join(values[name] for name in ("violation", "facts", "penalty") if name in values)
    return _text(text, "facts") if text else None


def parse_row(
    row: Mapping[str, object],
    *,
    person_key: bytes,
    severity_map: Mapping[str, Severity],
    now: dt.datetime,
) -> AuthorityDecision:
    """A decision from one exported row, or an InvalidInput naming the field."""
    values = _values(row)
    today = now.astimezone(CHINA).date()
    credit_code, person_hash = _identity(values, person_key, today)
    positive = values.get("positive_kind", "")
    category = _category(values, positive)
    decided_on, decided_at = _day_start(_required(values, "decided_on"), "decided_on")
    if decided_at < EARLIEST or decided_on > today:
        raise InvalidValue(f"{_field('decided_on')} {decided_on} is not a plausible decision date", field="CF_JDRQ")
    until_raw = values.get("publicity_until")
    publicity_until = None
    if until_raw and until_raw not in ("长期", "永久"):
        _, publicity_until = _day_start(until_raw, "publicity_until", 1)
        if publicity_until <= decided_at:
            raise InvalidValue("公示截止期 (CF_GSJZQ) is before the decision date", field="CF_GSJZQ")
    basis = _text(_required(values, "legal_basis"), "legal_basis")
    return AuthorityDecision(
        authority=_text(_required(values, "authority"), "authority", MAX_NAME),
        decision_number=_text(_required(values, "decision_number"), "decision_number", MAX_REF),
        subject_name=_text(_required(values, "name"), "name", MAX_NAME),
        credit_code=credit_code,
        person_hash=person_hash,
        category=category,
        severity=_severity(values, category, severity_map),
        decided_at=decided_at,
        occurred_at=decided_at,
        publicity_until=publicity_until,
        legal_basis=LegalBasis(basis, None),
        description=_description(values),
        removal=_removal(values),
    )


@dataclass(frozen=True, slots=True)
class DecisionFields:
    """A decision as a regulator gives it, field by field, before it is checked."""

    authority: str
    decision_number: str
    subject_name: str
    credit_code: str | None
    id_number: str | None
    category: Category
    severity: Severity | None
    decided_at: dt.datetime
    occurred_at: dt.datetime | None
    publicity_until: dt.datetime | None
    legal_basis: str
    legal_basis_reference: str | None
    description: str | None
    removal: Removal | None


def parse_fields(fields: DecisionFields, *, person_key: bytes, now: dt.datetime) -> AuthorityDecision:
    """A checked decision from a regulator's fields; the ID number is hashed at once."""
    if (fields.credit_code is None) == (fields.id_number is None):
        raise InvalidValue("give the subject's creditCode or its idNumber, not both", field="creditCode")
    person_hash = None
    code = None
    if fields.credit_code is not None:
        code = parse_credit_code(fields.credit_code, field_name="creditCode").value
    else:
        assert fields.id_number is not None
        resident = parse_resident_id(fields.id_number, today=now.date(), field_name="idNumber")
        person_hash = compute_person_hash(resident, person_key)
    reference = (fields.legal_basis_reference or "").strip() or None
    decision = AuthorityDecision(
        authority=fields.authority.strip(),
        decision_number=fields.decision_number.strip(),
        subject_name=fields.subject_name.strip(),
        credit_code=code,
        person_hash=person_hash,
        category=fields.category,
        severity=fields.severity,
        decided_at=fields.decided_at,
        occurred_at=fields.occurred_at or fields.decided_at,
        publicity_until=fields.publicity_until,
        legal_basis=LegalBasis(fields.legal_basis.strip(), reference),
        description=(fields.description or "").strip() or None,
        removal=fields.removal,
    )
    return check_decision(decision, now)


def check_decision(decision: AuthorityDecision, now: dt.datetime) -> AuthorityDecision:
    """The checks a decision given field by field (the regulator mutation) must pass."""
    for name, text, limit in (
        ("authority", decision.authority, MAX_NAME),
        ("decisionNumber", decision.decision_number, MAX_REF),
        ("subjectName", decision.subject_name, MAX_NAME),
        ("legalBasis", decision.legal_basis.text, MAX_TEXT),
    ):
        _check_required_text(name, text, limit)
    check_storable(decision.description or "", "description")
    check_storable(decision.legal_basis.reference or "", "legalBasisReference")
    if (decision.severity is None) != decision.category.is_positive:
        raise InvalidValue("negative records need a severity; positive records have none", field="severity")
    _check_dates(decision, now)
    return decision


def _check_required_text(name: str, text: str, limit: int) -> None:
    if not text.strip():
        raise InvalidValue(f"{name} must not be empty", field=name)
    if len(text) > limit:
        raise InvalidValue(f"{name} is longer than {limit} characters", field=name)
    check_storable(text, name)


def _check_dates(decision: AuthorityDecision, now: dt.datetime) -> None:
    """Decided on a plausible day (by tomorrow), after the facts, and published until after it."""
    if not EARLIEST <= decision.decided_at <= now + dt.timedelta(days=1):
        raise InvalidValue("decidedAt is not a plausible decision date", field="decidedAt")
    if decision.occurred_at > decision.decided_at:
        raise InvalidValue("occurredAt must not be after decidedAt", field="occurredAt")
    if decision.publicity_until is not None and decision.publicity_until <= decision.decided_at:
        raise InvalidValue("publicityUntil must be after decidedAt", field="publicityUntil")


def check_may_record(viewer: Client, authority: str) -> None:
    """Regulators record authorities' decisions. Once a regulator is bound to one authority, it
    records that authority's decisions only: `authority` is here for that check."""
    if viewer.role is not Role.REGULATOR:
        raise PermissionDenied("only regulators record authorities' decisions")
