"""Rows of dual-publicity (双公示) exports become decisions, or are refused naming the field."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from credithub.domain import authority
from credithub.domain.authority import Removal, parse_row
from credithub.domain.errors import InvalidIdentifier, InvalidValue
from credithub.domain.records import Category, LegalBasis, Severity
from credithub.services.authority import DEFAULT_SEVERITIES
from tests.factories import credit_code

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
SEVERITIES = authority.parse_severity_map(json.loads(DEFAULT_SEVERITIES.read_text()))
CODE = credit_code()


def penalty(**changes: str) -> dict[str, str]:
    row = {
        "CF_XDR_MC": "上海信云美妆有限公司",
        "CF_XDR_SHXYM": CODE,
        "CF_WSH": "沪市监罚〔2026〕101号",
        "CF_WFXW": "虚假宣传",
        "CF_YJ": "《中华人民共和国广告法》第二十八条",
        "CF_CFLB": "罚款",
        "CF_JDRQ": "2026-03-15",
        "CF_GSJZQ": "2027-03-15",
        "CF_CFJG": "上海市市场监督管理局",
    }
    row.update(changes)
    return row


def parse(row: dict[str, str]) -> authority.AuthorityDecision:
    return parse_row(row, person_key=b"k", severity_map=SEVERITIES, now=NOW)


def test_a_penalty_row_becomes_a_decision_dated_in_china_and_shown_through_its_last_day() -> None:
    decision = parse(penalty())
    assert decision.key == ("上海市市场监督管理局", "沪市监罚〔2026〕101号")
    assert decision.category is Category.ADMINISTRATIVE_PENALTY
    assert decision.severity is Severity.GENERAL
    assert decision.decided_at == dt.datetime(2026, 3, 14, 16, tzinfo=dt.UTC)  # 2026-03-15 00:00 in China
    assert decision.publicity_until == dt.datetime(2027, 3, 15, 16, tzinfo=dt.UTC)  # through 2027-03-15
    assert decision.removal is None


def test_the_older_generation_of_field_names_is_read_the_same() -> None:
    old = {
        "CF_XDR_MC": "上海信云美妆有限公司",
        "CF_XDR_SHXYM": CODE,
        "CF_WSH": "沪市监罚〔2026〕101号",
        "CF_CFMC": "虚假宣传",
        "CF_YJ": "《中华人民共和国广告法》第二十八条",
        "CF_CFLB1": "罚款",
        "CF_JDRQ": "2026/3/15",
        "CF_XZJG": "上海市市场监督管理局",
        "CF_ZT": "正常",
    }
    assert parse(old).key == parse(penalty()).key
    assert parse(old).severity is Severity.GENERAL


def test_the_most_severe_of_several_penalty_classes_decides_the_severity() -> None:
    assert parse(penalty(CF_CFLB="罚款;责令停产停业")).severity is Severity.SERIOUS
    assert parse(penalty(CF_CFLB="警告")).severity is Severity.MINOR


def test_an_unmapped_penalty_class_is_refused_rather_than_guessed() -> None:
    with pytest.raises(InvalidValue, match="其他") as caught:
        parse(penalty(CF_CFLB="其他"))
    assert caught.value.field == "SEVERITY"
    assert parse(penalty(CF_CFLB="其他", SEVERITY="严重")).severity is Severity.SERIOUS


@pytest.mark.parametrize(("state", "removal"), [("撤销", Removal.WITHDRAW), ("信用修复", Removal.REPAIR), ("", None)])
def test_the_current_state_carries_removal_notices(state: str, removal: Removal | None) -> None:
    assert parse(penalty(CF_ZT=state)).removal is removal


def test_an_unknown_state_is_refused() -> None:
    with pytest.raises(InvalidValue, match="当前状态"):
        parse(penalty(CF_ZT="审核中"))


def test_positive_records_come_in_with_their_own_field_names_and_no_severity() -> None:
    row = {
        "主体名称": "上海信云美妆有限公司",
        "统一社会信用代码": CODE,
        "数据类别": "A级纳税人",
        "认定文号": "沪税信〔2026〕A-0007",
        "认定时间": "2026年4月1日",
        "认定单位": "国家税务总局上海市税务局",
        "有效期限": "2027-03-31",
        "认定依据": "《纳税信用管理办法》",
    }
    decision = parse(row)
    assert (decision.category, decision.severity) == (Category.A_LEVEL_TAXPAYER, None)
    assert decision.decided_at == dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"CF_XDR_SHXYM": "91330106X1TMHNF91M"}, "CF_XDR_SHXYM"),
        ({"CF_JDRQ": "2027-01-01"}, "CF_JDRQ"),
        ({"CF_JDRQ": "yesterday"}, "CF_JDRQ"),
        ({"CF_GSJZQ": "2026-01-01"}, "CF_GSJZQ"),
        ({"CF_YJ": ""}, "CF_YJ"),
        ({"CF_WSH": ""}, "CF_WSH"),
        ({"CF_XDR_MC": "A\x00B"}, "CF_XDR_MC"),
    ],
)
def test_bad_rows_are_refused_naming_the_field(changes: dict[str, str], field: str) -> None:
    with pytest.raises((InvalidValue, InvalidIdentifier)) as caught:
        parse(penalty(**changes))
    assert caught.value.field == field


def test_a_natural_person_is_kept_only_as_the_hash_of_the_id_number() -> None:
    row = penalty(CF_XDR_SHXYM="", CF_XDR_ZJHM="11010519491231002X")
    decision = parse(row)
    assert decision.credit_code is None
    assert decision.person_hash is not None
    assert len(decision.person_hash) == 32
    assert "11010519491231002X" not in repr(decision)


def test_the_same_row_has_the_same_digest_and_a_corrected_one_another() -> None:
    assert parse(penalty()).digest() == parse(penalty()).digest()
    assert parse(penalty()).digest() != parse(penalty(CF_NR="罚款6万元")).digest()
    assert parse(penalty()).digest() == parse(penalty(CF_ZT="撤销")).digest()  # a removal is not a new version


def test_the_digest_is_the_one_records_already_keep() -> None:
    """Records keep the digest of what the source said: if the hashed text changed, re-importing
    an unchanged export would version every record as a correction."""
    penalty_decision = authority.AuthorityDecision(
        authority="上海市市场监督管理局",
        decision_number="沪市监罚〔2026〕101号",
        subject_name='上海"信云"美妆\\有限公司\t',  # quotes, a backslash and a tab are escaped
        credit_code="91310000MA1FL8TQ3X",
        person_hash=None,
        category=Category.ADMINISTRATIVE_PENALTY,
        severity=Severity.GENERAL,
        decided_at=dt.datetime(2026, 3, 14, 16, tzinfo=dt.UTC),
        occurred_at=dt.datetime(2026, 3, 14, 16, tzinfo=dt.UTC),
        publicity_until=dt.datetime(2027, 3, 15, 16, tzinfo=dt.UTC),
        legal_basis=LegalBasis("《广告法》第二十八条", None),
        description="虚假宣传；罚款5万元\n",
        removal=Removal.WITHDRAW,
    )
    positive_about_a_person = authority.AuthorityDecision(
        authority="Tax bureau",
        decision_number="A-1",
        subject_name="Zhang San",
        credit_code=None,
        person_hash=bytes(range(32)),
        category=Category.A_LEVEL_TAXPAYER,
        severity=None,
        decided_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        occurred_at=dt.datetime(2024, 12, 1, 8, 30, tzinfo=dt.UTC),
        publicity_until=None,
        legal_basis=LegalBasis("basis", "ref-7"),
        description=None,
    )
    assert penalty_decision.digest().hex() == "d04e6b3f9903fb8237b97ae6e05d454d481a780f0f7e58be42db82c910b4e16f"
    assert positive_about_a_person.digest().hex() == "07f9e785ad3ccef89da9ce4ae695d947d0dbcc2ef52716dbf344522a3920214c"
