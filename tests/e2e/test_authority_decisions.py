"""Public authorities' decisions come in: by regulators over GraphQL, and by `import authority`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests import factories
from tests.e2e.conftest import Cast
from tests.e2e.graphql_client import GraphQLClient
from tests.e2e.test_cli import cli_env, run_cli

RECORD = """
mutation($input: AuthorityDecisionInput!) {
  recordAuthorityDecision(input: $input) {
    __typename
    ... on RecordAuthorityDecisionSuccess {
      outcome subjectId
      record { id category severity status decidedAt publicityUntil occurredAt version
               source { type authority reference } versions { version replacedBy fields } }
    }
    ... on UserError { code message }
    ... on InputError { field }
  }
}"""

STATUS = """
query($code: String!) {
  subjectByCreditCode(creditCode: $code) {
    name
    creditStatus { tier flags { measure kind sourceAuthority } }
    records(first: 5) { edges { node { category decidedAt publicityUntil status version } } }
  }
}"""


def decision(code: str, number: str, **changes: Any) -> dict[str, Any]:
    decided = factories.NOW - dt.timedelta(days=40)
    fields = {
        "authority": "上海市市场监督管理局",
        "decisionNumber": number,
        "subjectName": "上海信云美妆有限公司",
        "creditCode": code,
        "category": "ADMINISTRATIVE_PENALTY",
        "severity": "GENERAL",
        "decidedAt": decided.isoformat(),
        "occurredAt": (decided - dt.timedelta(days=90)).isoformat(),
        "publicityUntil": (decided + dt.timedelta(days=200)).isoformat(),
        "legalBasis": "《中华人民共和国广告法》第二十八条",
        "description": "虚假宣传，罚款五万元",
    }
    fields.update(changes)
    return fields


async def record(client: GraphQLClient, fields: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = (await client.data(RECORD, input=fields))["recordAuthorityDecision"]
    return result


async def test_a_regulator_records_a_decision_once_and_a_correction_as_a_new_version(cast: Cast) -> None:
    code, number = factories.credit_code(), f"沪市监罚〔2026〕{factories.suffix()}号"
    first = await record(cast.as_regulator, decision(code, number))
    assert first["__typename"] == "RecordAuthorityDecisionSuccess", first
    assert first["outcome"] == "CREATED"
    kept = first["record"]
    assert (kept["status"], kept["version"], kept["versions"]) == ("ACTIVE", 1, [])
    assert kept["source"] == {"type": "AUTHORITY", "authority": "上海市市场监督管理局", "reference": number}
    assert kept["decidedAt"] != kept["occurredAt"]

    again = await record(cast.as_regulator, decision(code, number))
    assert (again["outcome"], again["record"]["id"]) == ("UNCHANGED", kept["id"])

    corrected = await record(cast.as_regulator, decision(code, number, severity="SERIOUS"))
    assert corrected["outcome"] == "UPDATED"
    assert (corrected["record"]["version"], corrected["record"]["severity"]) == (2, "SERIOUS")
    [old] = corrected["record"]["versions"]
    assert (old["version"], old["fields"]["severity"]) == (1, "GENERAL")
    assert old["replacedBy"].startswith("regulator:")

    withdrawn = await record(cast.as_regulator, decision(code, number, severity="SERIOUS", removal="WITHDRAW"))
    assert (withdrawn["outcome"], withdrawn["record"]["status"]) == ("WITHDRAWN", "WITHDRAWN")


async def test_a_positive_record_brings_its_incentive_and_the_subject_is_registered(cast: Cast) -> None:
    code = factories.credit_code()
    fields = decision(
        code,
        f"沪税信〔2026〕{factories.suffix()}",
        authority="国家税务总局上海市税务局",
        category="A_LEVEL_TAXPAYER",
        severity=None,
        legalBasis="《纳税信用管理办法》",
    )
    assert (await record(cast.as_regulator, fields))["outcome"] == "CREATED"
    subject = (await cast.as_a.data(STATUS, code=code))["subjectByCreditCode"]
    assert subject["name"] == "上海信云美妆有限公司"
    incentives = [
        (f["measure"], f["sourceAuthority"]) for f in subject["creditStatus"]["flags"] if f["kind"] == "INCENTIVE"
    ]
    assert ("PRIORITY_SERVICE", "国家税务总局上海市税务局") in incentives
    [node] = [edge["node"] for edge in subject["records"]["edges"]]
    assert node["category"] == "A_LEVEL_TAXPAYER"
    assert node["decidedAt"] is not None


async def test_only_regulators_record_decisions_and_bad_fields_are_typed_errors(cast: Cast) -> None:
    code = factories.credit_code()
    denied = await record(cast.as_a, decision(code, "X-1"))
    assert denied["code"] == "PERMISSION_DENIED"
    bad = await record(cast.as_regulator, decision(code[:-1] + ("0" if code[-1] != "0" else "1"), "X-2"))
    assert (bad["__typename"], bad["field"]) == ("InvalidIdentifierError", "creditCode")
    no_severity = await record(cast.as_regulator, decision(code, "X-3", severity=None))
    assert (no_severity["__typename"], no_severity["field"]) == ("InvalidValueError", "severity")
    unknown = await record(cast.as_regulator, decision(code, "X-4", removal="REPAIR"))
    assert unknown["__typename"] == "NotFoundError"


async def test_a_withdrawn_decision_leaves_the_subjects_credit_status_at_once(cast: Cast) -> None:
    code, number = factories.credit_code(), f"沪市监罚〔2026〕{factories.suffix()}号"
    before = (await cast.as_a.data(STATUS, code=code))["subjectByCreditCode"]
    assert before is None  # not hosted yet: the decision registers it
    assert (await record(cast.as_regulator, decision(code, number, severity="SERIOUS")))["outcome"] == "CREATED"
    penalised = (await cast.as_a.data(STATUS, code=code))["subjectByCreditCode"]["creditStatus"]
    assert penalised["tier"] == "D", penalised
    assert penalised["flags"], penalised

    withdrawn = await record(cast.as_regulator, decision(code, number, severity="SERIOUS", removal="WITHDRAW"))
    assert withdrawn["outcome"] == "WITHDRAWN"
    cleared = (await cast.as_a.data(STATUS, code=code))["subjectByCreditCode"]["creditStatus"]
    assert (cleared["tier"] != "D", cleared["flags"]) == (True, []), cleared  # the withdrawn record no longer counts


CSV_HEADER = "CF_XDR_MC,CF_XDR_SHXYM,CF_WSH,CF_WFXW,CF_YJ,CF_CFLB,CF_NR,CF_JDRQ,CF_GSJZQ,CF_CFJG\n"


def csv_row(code: str, number: str, *, classes: str = "罚款", content: str = "罚款5万元") -> str:
    return f"上海信云美妆有限公司,{code},{number},虚假宣传,《广告法》第二十八条,{classes},{content},2026-03-15,2027-03-15,上海市市场监督管理局\n"


def import_file(path: Path, env: dict[str, str]) -> dict[str, Any]:
    result = run_cli("import", "authority", str(path), env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def test_import_authority_reports_every_refused_row_and_a_second_run_changes_nothing(
    fresh_dsn: str, tmp_path: Path
) -> None:
    env = cli_env(DATABASE_URL=fresh_dsn, CREDITHUB_DATA_DIR=str(tmp_path))
    code = factories.credit_code()
    export = tmp_path / "penalties.csv"
    export.write_text(
        CSV_HEADER
        + csv_row(code, "沪市监罚〔2026〕1号")
        + csv_row("91330106X1TMHNF91M", "沪市监罚〔2026〕2号")
        + csv_row(code, "沪市监罚〔2026〕3号", classes="其他")
        + csv_row(code, "沪市监罚〔2026〕4号", classes="罚款;吊销营业执照"),
        encoding="utf-8",
    )
    summary = import_file(export, env)
    assert (summary["rows"], summary["created"], summary["refused"]) == (4, 2, 2)
    assert [row["line"] for row in summary["refused_rows"]] == [3, 4]
    assert "CF_XDR_SHXYM" in summary["refused_rows"][0]["reason"]
    assert "其他" in summary["refused_rows"][1]["reason"]

    assert import_file(export, env)["unchanged"] == 2

    # A newer export: one decision corrected, one revoked, in the older generation of field names.
    newer = tmp_path / "newer.jsonl"
    rows = [
        {
            "CF_XDR_MC": "上海信云美妆有限公司",
            "CF_XDR_SHXYM": code,
            "CF_WSH": "沪市监罚〔2026〕1号",
            "CF_CFMC": "虚假宣传",
            "CF_YJ": "《广告法》第二十八条",
            "CF_CFLB1": "罚款",
            "CF_JG": "罚款6万元",
            "CF_JDRQ": "2026-03-15",
            "CF_GSJZQ": "2027-03-15",
            "CF_XZJG": "上海市市场监督管理局",
            "CF_ZT": "正常",
        },
        {
            "CF_XDR_MC": "上海信云美妆有限公司",
            "CF_XDR_SHXYM": code,
            "CF_WSH": "沪市监罚〔2026〕4号",
            "CF_CFMC": "虚假宣传",
            "CF_YJ": "《广告法》第二十八条",
            "CF_CFLB1": "罚款;吊销营业执照",
            "CF_JG": "罚款5万元",
            "CF_JDRQ": "2026-03-15",
            "CF_GSJZQ": "2027-03-15",
            "CF_XZJG": "上海市市场监督管理局",
            "CF_ZT": "撤销",
        },
    ]
    newer.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    summary = import_file(newer, env)
    assert (summary["updated"], summary["withdrawn"], summary["refused"]) == (1, 1, 0), summary


def test_a_row_refused_while_its_batch_is_recorded_leaves_the_others_recorded(fresh_dsn: str, tmp_path: Path) -> None:
    env = cli_env(DATABASE_URL=fresh_dsn, CREDITHUB_DATA_DIR=str(tmp_path))
    first, second = factories.credit_code(), factories.credit_code()
    header = CSV_HEADER.rstrip("\n") + ",CF_ZT\n"
    rows = [
        csv_row(first, "沪市监罚〔2026〕11号").rstrip("\n") + ",\n",
        csv_row(first, "沪市监罚〔2026〕99号").rstrip("\n") + ",撤销\n",  # revokes what the hub never had
        csv_row(second, "沪市监罚〔2026〕12号").rstrip("\n") + ",\n",
    ]
    export = tmp_path / "penalties.csv"
    export.write_text(header + "".join(rows), encoding="utf-8")

    summary = import_file(export, env)  # one batch: the refusal comes from recording it, not from parsing
    assert (summary["rows"], summary["created"], summary["refused"]) == (3, 2, 1), summary
    [refused] = summary["refused_rows"]
    assert refused["line"] == 3
    assert "removal notice" in refused["reason"]

    again = import_file(export, env)
    assert (again["created"], again["unchanged"], again["refused"]) == (0, 2, 1), again
