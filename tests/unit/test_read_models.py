"""Access rules have one owner: `credithub.services.read_models` applies them, presenters map.

GraphQL types (`schema/`), resolvers and loaders (`resolvers/`) get statuses, records and
workflow texts already scoped to the viewer. If one of them applied a rule itself, or built a
read model by hand, the next read path could forget the rule: the first tests read the code.
What each role sees over GraphQL is held by the e2e tests (tests/e2e/test_workflows.py,
test_due_process.py, test_read_api.py, test_credit_status.py, test_webhooks.py)."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from credithub.domain.clients import Client, Role
from credithub.domain.flags import CreditStatus, Flag
from credithub.domain.lists import Defence
from credithub.domain.measures import MeasureKind, Scope, Tier
from credithub.domain.objections import Objection, ObjectionStatus
from credithub.domain.read_models import RecordView
from credithub.domain.records import (
    Category,
    CreditRecord,
    LegalBasis,
    LegalBasisLevel,
    RecordStatus,
    Severity,
    Source,
    SourceType,
)
from credithub.domain.repairs import RepairApplication, RepairStatus
from credithub.domain.rules import select_rule_set
from credithub.domain.subjects import Account, AccountStatus
from credithub.services import read_models
from tests.engine import RULE_SETS

ROOT = Path(__file__).resolve().parents[2]
PRESENTERS = ("schema", "resolvers")
OWNER = Path("credithub/services/read_models.py")
# The access rules of the domain: outside it, only OWNER names them.
RULES = frozenset(
    {
        "visible_flags",
        "is_flag_visible",
        "compute_record_visibility",
        "compute_record_scope",
        "RecordVisibility",
        "may_see_repaired",
        "may_read_workflow_texts",
        "may_see_account_details",
    }
)
READ_MODELS = frozenset(
    {"StatusView", "StoredStatusView", "RecordView", "ObjectionView", "RepairView", "DefenceView", "AccountView"}
)
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _modules(*packages: str) -> Iterator[Path]:
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT)


def _names(source: str) -> Iterator[tuple[int, str]]:
    """Every name a module mentions: imported, read, or reached as an attribute."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            yield node.lineno, node.id
        elif isinstance(node, ast.Attribute):
            yield node.lineno, node.attr
        elif isinstance(node, ast.ImportFrom):
            yield from ((node.lineno, alias.name) for alias in node.names)


def _called(source: str) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
            yield node.lineno, node.func.id if isinstance(node.func, ast.Name) else node.func.attr


def rule_uses(source: str) -> list[tuple[int, str]]:
    return [(line, name) for line, name in _names(source) if name in RULES]


def read_models_built(source: str) -> list[tuple[int, str]]:
    return [(line, name) for line, name in _called(source) if name in READ_MODELS]


def test_presenters_apply_no_access_rule_themselves() -> None:
    found = {str(path): uses for path in _modules(*PRESENTERS) if (uses := rule_uses((ROOT / path).read_text()))}
    assert found == {}, "schema/ and resolvers/ map read models; services/read_models.py applies the rules"


def test_outside_the_domain_only_the_read_models_service_applies_access_rules() -> None:
    modules = [path for path in _modules("credithub", *PRESENTERS) if path.parts[:2] != ("credithub", "domain")]
    found = {str(path): uses for path in modules if path != OWNER and (uses := rule_uses((ROOT / path).read_text()))}
    assert found == {}


def test_only_the_read_models_service_builds_read_models() -> None:
    modules = [path for path in _modules("credithub", *PRESENTERS) if path != OWNER]
    found = {str(path): built for path in modules if (built := read_models_built((ROOT / path).read_text()))}
    assert found == {}


@pytest.mark.parametrize(
    "source",
    [
        "from credithub.domain import flags\ndef shown(s, p):\n    return flags.visible_flags(s, p)\n",
        "from credithub.domain.visibility import may_read_workflow_texts\n",
        "def f(v, r):\n    return v is r.RecordVisibility.FULL\n",
    ],
)
def test_the_guard_sees_a_rule_applied_in_a_presenter(source: str) -> None:
    assert rule_uses(source) != []


def test_the_guard_sees_a_read_model_built_by_hand() -> None:
    assert read_models_built("from credithub.domain import read_models as m\nm.StatusView(**fields)\n") == [
        (2, "StatusView")
    ]


# ---- what each viewer is given ----------------------------------------------------------------


def client(role: Role, platform: str | None = None) -> Client:
    return Client(id=1, name="c", role=role, platform=platform)


PLATFORM = client(Role.PLATFORM, "shopmall")
OTHER_PLATFORM = client(Role.PLATFORM, "bazaar")
DASHBOARD = client(Role.VIEWER)
REGULATOR = client(Role.REGULATOR)


def flag(measure: str, scope: Scope, source: str) -> Flag:
    return Flag(
        measure=measure,
        kind=MeasureKind.RESTRICTION,
        mandatory=False,
        scope=scope,
        legal_basis=LegalBasis("platform rule", None),
        legal_basis_level=LegalBasisLevel.PLATFORM_RULE,
        source_platform=source,
        source_authority=None,
        via=None,
        record_ids=(1,),
        list_entry_ids=(),
        effective_from=NOW,
        effective_until=None,
        enforced=True,
        not_enforced_reason=None,
        reason="test",
    )


def status(*flags: Flag) -> CreditStatus:
    return CreditStatus(7, NOW, "test", Tier.C, "test", False, False, False, flags, None)


@pytest.mark.parametrize(
    ("viewer", "measures"),
    [
        (PLATFORM, ["CAMPAIGN_EXCLUSION", "WITHDRAWAL_HOLD"]),
        (OTHER_PLATFORM, ["CAMPAIGN_EXCLUSION"]),
        (REGULATOR, ["CAMPAIGN_EXCLUSION", "WITHDRAWAL_HOLD"]),
        (DASHBOARD, ["CAMPAIGN_EXCLUSION", "WITHDRAWAL_HOLD"]),
    ],
)
def test_a_status_view_holds_only_the_flags_its_viewer_sees(viewer: Client, measures: list[str]) -> None:
    given = status(
        flag("CAMPAIGN_EXCLUSION", Scope.ALL_PLATFORMS, "shopmall"),
        flag("WITHDRAWAL_HOLD", Scope.ORIGIN_PLATFORM, "shopmall"),
    )
    assert [f.measure for f in read_models.status_view(given, viewer).flags] == measures


def record(status: RecordStatus = RecordStatus.ACTIVE) -> CreditRecord:
    return CreditRecord(
        id=1,
        subject_id=1,
        source=Source(SourceType.PLATFORM, "shopmall", None, "V-1"),
        category=Category.COUNTERFEIT_GOODS,
        severity=Severity.GENERAL,
        occurred_at=NOW,
        reported_at=NOW,
        description="sold fakes",
        legal_basis=LegalBasis("E-Commerce Law", None),
        status=status,
        valid_until=None,
    )


def record_view(given: CreditRecord, viewer: Client) -> RecordView | None:
    return read_models.record_view(given, read_models.record_scope_under(viewer, select_rule_set(RULE_SETS, NOW), NOW))


def test_a_record_view_of_another_platforms_record_withholds_its_source_and_texts() -> None:
    view = record_view(record(), OTHER_PLATFORM)
    assert view is not None
    assert view.redacted
    assert (view.source_platform, view.source_ref, view.description, view.legal_basis) == (None, None, None, None)
    assert (view.source_type, view.category) == (SourceType.PLATFORM, Category.COUNTERFEIT_GOODS)


def test_a_record_view_of_its_own_source_is_in_full() -> None:
    view = record_view(record(), PLATFORM)
    assert view is not None
    assert not view.redacted
    assert (view.source_platform, view.description) == ("shopmall", "sold fakes")


def test_a_repaired_record_has_a_view_for_regulators_only() -> None:
    assert record_view(record(RecordStatus.REPAIRED), PLATFORM) is None
    assert record_view(record(RecordStatus.REPAIRED), REGULATOR) is not None


def objection() -> Objection:
    return Objection(
        1, 1, 1, "platform:shopmall", "shopmall", "not ours", NOW, NOW, ObjectionStatus.OPEN, None, None, None
    )


def repair() -> RepairApplication:
    return RepairApplication(
        1, 1, 1, "subject:x", None, "paid back", "never again", NOW, RepairStatus.PENDING, None, None, "ok"
    )


@pytest.mark.parametrize(("viewer", "shown"), [(DASHBOARD, False), (PLATFORM, True), (REGULATOR, True)])
def test_workflow_views_carry_the_parties_texts_only_to_viewers_who_may_read_them(viewer: Client, shown: bool) -> None:
    objection_view = read_models.objection_view(objection(), viewer)
    repair_view = read_models.repair_view(repair(), viewer)
    defence_view = read_models.defence_view(Defence(1, 1, "subject:x", "we did nothing wrong", NOW), viewer)
    texts = [
        objection_view.reason,
        repair_view.evidence,
        repair_view.commitment,
        repair_view.decision_note,
        defence_view.statement,
    ]
    assert [text is not None for text in texts] == [shown] * 5


@pytest.mark.parametrize(("viewer", "details"), [(PLATFORM, True), (OTHER_PLATFORM, False), (DASHBOARD, True)])
def test_an_account_view_shows_another_platforms_account_as_platform_and_status(viewer: Client, details: bool) -> None:
    account = Account(1, 1, "shopmall", "seller-9", AccountStatus.ACTIVE, "Shop 9", NOW)
    view = read_models.account_view(account, viewer)
    assert (view.platform, view.status) == ("shopmall", AccountStatus.ACTIVE)
    assert [view.external_id, view.display_name, view.opened_at] == (
        ["seller-9", "Shop 9", NOW] if details else [None] * 3
    )
