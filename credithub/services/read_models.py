"""Viewer-scoped read models: the one place the access rules are applied to what is read.

The rules are the domain's (`flags.visible_flags`: which flags a platform sees, by
`flags.is_flag_visible`, which also filters a stored status that is not decoded;
`visibility.compute_record_visibility`: a record in full, redacted or hidden;
`visibility.may_read_workflow_texts`: whether the parties' own words are shown;
`visibility.may_see_account_details`: another platform's accounts as platform and status only). Here they
turn domain data into what one viewer may see (`credithub.domain.read_models`): the loaders
behind every GraphQL field, push messages, the live feed and credit reports all read through
these functions, so GraphQL types map fields and check nothing. `tests/unit/test_read_models.py`
fails when `schema/` or `resolvers/` apply a rule themselves or build a read model.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

from credithub.domain import read_models
from credithub.domain.clients import Client
from credithub.domain.flags import CreditStatus, is_flag_visible, visible_flags
from credithub.domain.lists import Defence
from credithub.domain.objections import Objection
from credithub.domain.records import CreditRecord, RecordStatus
from credithub.domain.repairs import RepairApplication
from credithub.domain.rules import RuleSet, compute_shown_record_status, select_rule_set
from credithub.domain.status_codec import StoredStatus, read_flag_audience, read_stored_flags
from credithub.domain.subjects import Account
from credithub.domain.visibility import (
    RecordScope,
    RecordVisibility,
    compute_record_scope,
    compute_record_visibility,
    may_read_workflow_texts,
    may_see_account_details,
)
from credithub.services.ports import Deps

View = TypeVar("View")


_SHARED_FIELDS: dict[tuple[type[Any], type[Any]], tuple[str, ...]] = {}


def _shared_fields(view: type[Any], source: type[Any]) -> tuple[str, ...]:
    """The fields `view` takes from `source` by name, worked out once per pair of classes."""
    shared = _SHARED_FIELDS.get((view, source))
    if shared is None:
        source_fields = {field.name for field in dataclasses.fields(source)}
        shared = tuple(field.name for field in dataclasses.fields(view) if field.name in source_fields)
        _SHARED_FIELDS[(view, source)] = shared
    return shared


def _shown_as(view: type[View], source: Any, **shown: object) -> View:
    """`source` as a `view`: each field the two share copied, those in `shown` as the rule left them."""
    copied = {name: getattr(source, name) for name in _shared_fields(view, type(source)) if name not in shown}
    return view(**copied, **shown)


# ---- statuses ---------------------------------------------------------------------------------


def status_view(status: CreditStatus, viewer: Client) -> read_models.StatusView:
    """`status` as `viewer` sees it: a platform client only the flags meant for it; a client
    acting for no platform (regulators, admins, dashboards, the subject) every flag."""
    return platform_status_view(status, viewer.platform)


def platform_status_view(status: CreditStatus, platform: str | None) -> read_models.StatusView:
    """`status` as a client acting for `platform` (None: for none) sees it. A push uses it for its
    recipient platform, the live feed for each audience it announces a change to."""
    return _shown_as(read_models.StatusView, status, flags=visible_flags(status, platform))


def stored_status_view(status: StoredStatus, viewer: Client) -> read_models.StoredStatusView:
    """A stored status as `viewer` sees it, without decoding it: its stored flags filtered by the
    rule `status_view` applies (`is_flag_visible`, on each flag's scope and source as stored);
    `decoded()` is `status_view` of it decoded, for selections the stored form cannot answer."""
    platform = viewer.platform
    flags = read_stored_flags(status.stored)
    if platform is not None:
        flags = tuple(flag for flag in flags if is_flag_visible(*read_flag_audience(flag), platform))
    return read_models.StoredStatusView(
        subject_id=status.subject_id,
        as_of=status.as_of,
        stored=status.stored,
        flags=flags,
        decoded=lambda: platform_status_view(status.decoded(), platform),
    )


# ---- records ----------------------------------------------------------------------------------


async def record_scope(deps: Deps, viewer: Client, at: dt.datetime) -> RecordScope:
    """What of each subject's records `viewer` is shown at `at`, under the rule set then in force
    (with the config as of at most a second ago). Queries that page or count records filter by it
    (`db.records`, through the SQL twin of the rule); `record_view` shows each record by it."""
    config = await deps.engine.recent(deps.pool)
    return record_scope_under(viewer, select_rule_set(config.rule_sets, at), at)


def record_scope_under(viewer: Client, rules: RuleSet, at: dt.datetime) -> RecordScope:
    """What of each subject's records `viewer` is shown at `at` under `rules`."""
    return compute_record_scope(viewer, rules, at)


def record_view(record: CreditRecord, scope: RecordScope) -> read_models.RecordView | None:
    """The record as the scope's viewer is shown it, or None when it is hidden from it."""
    visibility = compute_record_visibility(record, scope)
    if visibility is RecordVisibility.HIDDEN:
        return None
    return _record_view(record, compute_shown_record_status(record, scope.rules, scope.at), visibility)


def record_views(records: Iterable[CreditRecord], scope: RecordScope) -> list[read_models.RecordView]:
    """The records the scope's viewer is shown, in the order given; hidden ones left out."""
    return [view for view in (record_view(record, scope) for record in records) if view is not None]


async def written_record_view(deps: Deps, record: CreditRecord) -> read_models.RecordView:
    """A record as the mutation that wrote it answers its writer — the platform that reported or
    revoked it, the regulator who recorded its authority's decision: in full, as written."""
    config = await deps.engine.recent(deps.pool)
    now = deps.clock.now()
    shown = compute_shown_record_status(record, select_rule_set(config.rule_sets, now), now)
    return _record_view(record, shown, RecordVisibility.FULL)


def _record_view(record: CreditRecord, shown: RecordStatus, visibility: RecordVisibility) -> read_models.RecordView:
    full = visibility is RecordVisibility.FULL
    source = record.source
    return read_models.RecordView(
        id=record.id,
        subject_id=record.subject_id,
        category=record.category,
        severity=record.severity,
        status=shown,
        occurred_at=record.occurred_at,
        reported_at=record.reported_at,
        decided_at=record.decided_at,
        valid_until=record.valid_until,
        version=record.version,
        source_type=source.type,
        source_platform=source.platform if full else None,
        source_authority=source.authority if full else None,
        source_ref=source.ref if full else None,
        description=record.description if full else None,
        legal_basis=record.legal_basis if full else None,
        redacted=not full,
    )


# ---- workflows: the parties' texts ------------------------------------------------------------


def objection_view(objection: Objection, viewer: Client) -> read_models.ObjectionView:
    """The objection as `viewer` is shown it: its reason and resolution note only to viewers who
    may read the parties' texts."""
    texts = may_read_workflow_texts(viewer)
    return _shown_as(
        read_models.ObjectionView,
        objection,
        reason=objection.reason if texts else None,
        resolution_note=objection.resolution_note if texts else None,
    )


def repair_view(application: RepairApplication, viewer: Client) -> read_models.RepairView:
    """The application as `viewer` is shown it: evidence, commitment and decision note only to
    viewers who may read the parties' texts."""
    texts = may_read_workflow_texts(viewer)
    return _shown_as(
        read_models.RepairView,
        application,
        evidence=application.evidence if texts else None,
        commitment=application.commitment if texts else None,
        decision_note=application.decision_note if texts else None,
    )


def defence_view(defence: Defence, viewer: Client) -> read_models.DefenceView:
    """The defence as `viewer` is shown it: its statement only to viewers who may read the
    parties' texts."""
    return read_models.DefenceView(
        id=defence.id,
        entry_id=defence.entry_id,
        submitted_by=defence.submitted_by,
        submitted_at=defence.submitted_at,
        statement=defence.statement if may_read_workflow_texts(viewer) else None,
    )


# ---- accounts ---------------------------------------------------------------------------------


def account_view(account: Account, viewer: Client) -> read_models.AccountView:
    """The account as `viewer` is shown it: another platform's only as platform and status."""
    details = may_see_account_details(viewer, account.platform)
    return read_models.AccountView(
        id=account.id,
        subject_id=account.subject_id,
        platform=account.platform,
        status=account.status,
        external_id=account.external_id if details else None,
        display_name=account.display_name if details else None,
        opened_at=account.opened_at if details else None,
    )
