"""Issuing signed credit reports (`creditReport`)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any, Final

from credithub.db import lists as db_lists
from credithub.db import records as db_records
from credithub.db import subjects as db_subjects
from credithub.domain import credit_reports
from credithub.domain.clients import Client
from credithub.domain.errors import StatusUnavailable, UnknownSubject
from credithub.domain.ids import IdKind, format_id
from credithub.domain.records import RecordFilter
from credithub.domain.rules import record_counts_at, select_rule_set
from credithub.domain.subjects import Subject
from credithub.services import credit_status, read_models
from credithub.services.ports import Deps

RECORDS_READ: Final = 2000  # records looked at per report (newest first)


@dataclass(frozen=True, slots=True)
class IssuedReport:
    subject: Subject
    purpose: str | None
    issued_at: dt.datetime
    document: dict[str, Any]
    signed: str  # the whole signed report, one JSON text

    @property
    def signature(self) -> dict[str, Any]:
        signature: dict[str, Any] = json.loads(self.signed)["signature"]
        return signature


async def issue(deps: Deps, viewer: Client, subject_id: int, purpose: str | None) -> IssuedReport:
    """A signed report on the subject as `viewer` may see it now. Refused without a purpose for
    platforms, and to clients that may not have one. (Its read is audited by the caller, with
    the purpose.)"""
    stated = credit_reports.check_may_request(viewer, subject_id, purpose)
    subject = (await db_subjects.get_many(deps.pool, [subject_id])).get(subject_id)
    if subject is None:
        raise UnknownSubject(format_id(IdKind.SUBJECT, subject_id))
    now = deps.clock.now()
    config = await deps.engine.recent(deps.pool)
    rules = select_rule_set(config.rule_sets, now)
    status = (await credit_status.statuses_of_subjects(deps, {subject.id: subject.facts_version}, now))[subject.id]
    if isinstance(status, StatusUnavailable):
        raise status
    scope = read_models.record_scope_under(viewer, rules, now)
    found = await db_records.list_page_for_subjects(
        deps.pool, [subject.id], RecordFilter(), scope=scope, after=None, limit=RECORDS_READ
    )
    counting = (record for record in found.get(subject.id, []) if record_counts_at(record, rules, now))
    in_window = read_models.record_views(counting, scope)
    entries = await db_lists.list_page(
        deps.pool,
        kind=None,
        subject_id=subject.id,
        in_force_at=now,
        state=None,
        platform=None,
        before_id=None,
        limit=100,
        state_at=now,
    )
    document = credit_reports.compose_document(
        credit_reports.ReportInput(
            report_id=f"rpt_{uuid.uuid4().hex}",
            issued_at=now,
            key_id=deps.reports.key_id,
            requester=viewer,
            purpose=stated,
            subject=subject,
            status=read_models.status_view(status, viewer),
            records=in_window[: credit_reports.MAX_RECORDS],
            records_total=len(in_window),
            entries=entries,
            rules=rules,
        )
    )
    return IssuedReport(subject, stated, now, document, deps.reports.sign(document))
