"""Credit reports: a dated document about one subject — records in their window, list entries in
force, flags with their legal bases, the rule set in force — that the hub signs and anyone can
verify offline (`credithub.report_keys`), and its printable HTML rendering.

Who may ask: regulators; platforms, stating the purpose; the subject itself (a `subject` client,
about its own subject). A report shows the requester what the requester may see: a platform gets
other sources' records redacted, as everywhere.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from credithub.domain.clients import Client, Role
from credithub.domain.errors import InvalidValue, PermissionDenied, PurposeRequired
from credithub.domain.flags import Flag
from credithub.domain.ids import IdKind, format_id
from credithub.domain.lists import ListEntry
from credithub.domain.read_models import RecordView, StatusView
from credithub.domain.rules import RuleSet
from credithub.domain.subjects import Subject
from credithub.domain.texts import check_storable

DOCUMENT_TYPE: Final = "credithub.credit_report"
FORMAT_VERSION: Final = 1
MAX_PURPOSE: Final = 200
MAX_RECORDS: Final = 500  # the newest in their window; a report says when it holds fewer than there are


def check_may_request(viewer: Client, subject_id: int, purpose: str | None) -> str | None:
    """The purpose as kept, or why this viewer may not have a report on `subject_id`: a subject
    client asks about itself only (it needs no purpose: the report is its own)."""
    stated = (purpose or "").strip() or None
    if stated is not None:
        if len(stated) > MAX_PURPOSE:
            raise InvalidValue(f"purpose is longer than {MAX_PURPOSE} characters", field="purpose")
        check_storable(stated, "purpose")
    match viewer.role:
        case Role.REGULATOR:
            return stated
        case Role.PLATFORM:
            if stated is None:
                raise PurposeRequired("state the purpose of the report (e.g. onboarding review)", field="purpose")
            return stated
        case Role.SUBJECT if viewer.speaks_for(subject_id):
            return stated
        case _:
            raise PermissionDenied("credit reports are for regulators, platforms stating a purpose, and the subject")


def _iso(instant: dt.datetime | None) -> str | None:
    return instant.astimezone(dt.UTC).isoformat() if instant is not None else None


def _flag(flag: Flag) -> dict[str, Any]:
    return {
        "measure": flag.measure,
        "kind": flag.kind.value,
        "mandatory": flag.mandatory,
        "enforced": flag.enforced,
        "scope": flag.scope.value,
        "legalBasis": flag.legal_basis.text,
        "legalBasisReference": flag.legal_basis.reference,
        "sourcePlatform": flag.source_platform,
        "sourceAuthority": flag.source_authority,
        "via": {"relation": flag.via.relation.value, "subjectName": flag.via.subject_name} if flag.via else None,
        "effectiveFrom": _iso(flag.effective_from),
        "effectiveUntil": _iso(flag.effective_until),
        "reason": flag.reason,
    }


def _record(record: RecordView) -> dict[str, Any]:
    return {
        "id": format_id(IdKind.RECORD, record.id),
        "category": record.category.value,
        "severity": record.severity.value if record.severity else None,
        "status": record.status.value,
        "occurredAt": _iso(record.occurred_at),
        "decidedAt": _iso(record.decided_at),
        "publicityUntil": _iso(record.valid_until),
        "sourceType": record.source_type.value,
        "source": record.source_platform or record.source_authority,
        "sourceReference": record.source_ref,
        "description": record.description,
        "legalBasis": record.legal_basis.text if record.legal_basis is not None else None,
        "redacted": record.redacted,
    }


def _entry(entry: ListEntry) -> dict[str, Any]:
    return {
        "id": format_id(IdKind.LIST_ENTRY, entry.id),
        "list": entry.list.value,
        "authority": entry.authority,
        "validFrom": _iso(entry.valid_from),
        "validUntil": _iso(entry.valid_until),
        "reason": entry.reason,
        "legalBasis": entry.legal_basis.text,
        "exitCondition": entry.exit_condition,
    }


def _rules(rules: RuleSet) -> dict[str, Any]:
    return {
        "code": rules.code,
        "name": rules.name,
        "effectiveFrom": _iso(rules.effective_from),
        "windows": {
            severity.value: {"published": w.published, "minMonths": w.min_months, "maxMonths": w.max_months}
            for severity, w in sorted(rules.windows.items())
        },
    }


@dataclass(frozen=True, slots=True)
class ReportInput:
    report_id: str
    issued_at: dt.datetime
    key_id: str
    requester: Client
    purpose: str | None
    subject: Subject
    status: StatusView  # as the requester sees it
    records: Sequence[RecordView]  # in their window, newest first, as the requester is shown them
    records_total: int
    entries: Sequence[ListEntry]  # in force
    rules: RuleSet


def compose_document(given: ReportInput) -> dict[str, Any]:
    """The report as the JSON document the hub signs."""
    subject = given.subject
    return {
        "type": DOCUMENT_TYPE,
        "formatVersion": FORMAT_VERSION,
        "reportId": given.report_id,
        "issuedAt": _iso(given.issued_at),
        "issuer": {"name": "Platform Credit Hub", "keyId": given.key_id},
        "requestedBy": {
            "client": given.requester.name,
            "role": given.requester.role.value,
            "platform": given.requester.platform,
        },
        "purpose": given.purpose,
        "subject": {
            "id": format_id(IdKind.SUBJECT, subject.id),
            "kind": subject.kind.value,
            "name": subject.name,
            "creditCode": subject.credit_code,
        },
        "ruleSet": _rules(given.rules),
        "status": {
            "tier": given.status.tier.value,
            "tierReason": given.status.tier_reason,
            "onSeriousDishonestList": given.status.on_serious_dishonest_list,
            "onRedList": given.status.on_red_list,
        },
        "flags": [_flag(flag) for flag in given.status.flags],
        "lists": [_entry(entry) for entry in given.entries],
        "records": [_record(item) for item in given.records],
        "recordsInWindow": given.records_total,
    }


# ---- printable HTML ---------------------------------------------------------------------------

_STYLE: Final = """
body { font: 11pt/1.45 "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2cm; color: #111; }
h1 { font-size: 18pt; margin: 0 0 .2em; } h2 { font-size: 13pt; margin: 1.4em 0 .4em; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left;
vertical-align: top; font-size: 9.5pt; } th { background: #eee; } .meta td:first-child { width: 28%; color: #444; }
.signature { margin-top: 2em; font-size: 8.5pt; color: #444; word-break: break-all; }
@media print { body { margin: 1.2cm; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
"""


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return html.escape(str(value))


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], empty: str) -> str:
    if not rows:
        return f"<p>{html.escape(empty)}</p>"
    head = "".join(f"<th>{html.escape(name)}</th>" for name in headers)
    body = "".join("<tr>" + "".join(f"<td>{_cell(value)}</td>" for value in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(document: Mapping[str, Any], signature: Mapping[str, Any]) -> str:
    """A printable page of the signed report (every value escaped)."""
    subject, status, rules = document["subject"], document["status"], document["ruleSet"]
    meta = [
        ("Subject", f"{subject['name']} ({subject['kind']})"),
        ("Credit code", subject["creditCode"]),
        ("Hub id", subject["id"]),
        ("Credit tier", f"{status['tier']} — {status['tierReason']}"),
        ("Serious-dishonest list", status["onSeriousDishonestList"]),
        ("Red list", status["onRedList"]),
        ("Rule set in force", f"{rules['code']}: {rules['name']}"),
        ("Issued", document["issuedAt"]),
        ("Requested by", f"{document['requestedBy']['client']} ({document['requestedBy']['role']})"),
        ("Purpose", document["purpose"]),
        ("Report id", document["reportId"]),
    ]
    flags = [
        (f["measure"], f["kind"], f["mandatory"], f["enforced"], f["legalBasis"], f["effectiveFrom"], f["reason"])
        for f in document["flags"]
    ]
    entries = [(e["list"], e["authority"], e["validFrom"], e["validUntil"], e["legalBasis"]) for e in document["lists"]]
    records = [
        (
            r["category"],
            r["severity"],
            r["status"],
            r["decidedAt"] or r["occurredAt"],
            r["publicityUntil"],
            r["source"] or r["sourceType"],
            r["legalBasis"],
        )
        for r in document["records"]
    ]
    shown = len(document["records"])
    note = "" if shown == document["recordsInWindow"] else f" (the newest {shown} of {document['recordsInWindow']})"
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="zh-CN"><head><meta charset="utf-8">',
            f"<title>Credit report — {html.escape(subject['name'])}</title><style>{_STYLE}</style></head><body>",
            "<h1>Credit report 信用报告</h1>",
            "<table class=meta>" + "".join(f"<tr><td>{k}</td><td>{_cell(v)}</td></tr>" for k, v in meta) + "</table>",
            "<h2>Measures in force 约束与激励措施</h2>",
            _table(("Measure", "Kind", "Mandatory", "Enforced", "Legal basis", "From", "Why"), flags, "None."),
            "<h2>Lists 名单</h2>",
            _table(("List", "Authority", "From", "Until", "Legal basis"), entries, "Not on any list."),
            f"<h2>Records in their publicity window 公示期内记录{html.escape(note)}</h2>",
            _table(
                ("Category", "Severity", "Status", "Decided", "Shown until", "Source", "Legal basis"),
                records,
                "No record in its publicity window.",
            ),
            f"<p class=signature>Signed {_cell(signature.get('algorithm'))} by key {_cell(signature.get('keyId'))} "
            f"over the JSON document ({_cell(signature.get('canonicalization'))}). Verify: "
            "<code>python -m credithub verify-report FILE</code> with the key published at "
            "<code>/.well-known/credithub-report-key</code>. Signature: "
            f"{_cell(signature.get('value'))}</p>",
            "</body></html>",
        ]
    )
