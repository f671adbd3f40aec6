"""Signed credit reports: who may ask, what they hold, and a third party verifying one offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from credithub.domain.ids import IdKind, format_id
from tests.e2e.conftest import Cast
from tests.e2e.graphql_client import GraphQLClient
from tests.e2e.test_cli import cli_env, run_cli

REPORT = """
query($id: ID!, $purpose: String) {
  creditReport(subjectId: $id, purpose: $purpose) {
    __typename
    ... on CreditReport { reportId keyId purpose signed html subject { name } }
    ... on UserError { code message }
  }
}"""

AUDIT = """
query($subject: ID!) { auditReads(filter: {subjectId: $subject, operation: "creditReport"}) {
  edges { node { client purpose } } } }"""


async def report(client: GraphQLClient, subject_id: int, purpose: str | None) -> dict[str, Any]:
    data = await client.data(REPORT, id=format_id(IdKind.SUBJECT, subject_id), purpose=purpose)
    result: dict[str, Any] = data["creditReport"]
    return result


async def test_platforms_state_a_purpose_and_dashboards_get_no_report(cast: Cast) -> None:
    assert (await report(cast.as_a, cast.merchant.id, None))["__typename"] == "PurposeRequiredError"
    assert (await report(cast.as_a, cast.merchant.id, "  "))["code"] == "PURPOSE_REQUIRED"
    assert (await report(cast.as_viewer, cast.merchant.id, "看看"))["code"] == "PERMISSION_DENIED"
    assert (await report(cast.as_regulator, 987654321, None))["__typename"] == "UnknownSubjectError"


async def test_a_report_holds_what_the_platform_may_see_and_its_purpose_is_audited(cast: Cast) -> None:
    issued = await report(cast.as_b, cast.merchant.id, "入驻审核 onboarding review")
    assert issued["__typename"] == "CreditReport", issued
    document = json.loads(issued["signed"])["document"]
    assert document["subject"]["creditCode"] == cast.merchant.credit_code
    assert document["purpose"] == "入驻审核 onboarding review"
    assert document["ruleSet"]["code"] == "R2026"
    own = [r for r in document["records"] if not r["redacted"]]
    assert own
    assert all(r["source"] == cast.platform_b for r in own)
    assert all(r["description"] is None for r in document["records"] if r["redacted"])  # A's records, redacted
    assert all(r["status"] in ("ACTIVE", "OBJECTION_PENDING") for r in document["records"])
    assert all(flag["legalBasis"] for flag in document["flags"])
    assert cast.merchant.name in issued["html"]
    audit = (await cast.as_regulator.data(AUDIT, subject=format_id(IdKind.SUBJECT, cast.merchant.id)))["auditReads"]
    requester = document["requestedBy"]["client"]
    assert {"client": requester, "purpose": "入驻审核 onboarding review"} in [edge["node"] for edge in audit["edges"]]


async def test_a_third_party_verifies_a_report_offline_with_the_published_key(
    cast: Cast, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    issued = await report(cast.as_regulator, cast.merchant.id, None)
    published = await http.get("/.well-known/credithub-report-key")
    assert published.status_code == 200
    assert published.json()["keyId"] == issued["keyId"]
    key, good, bad = tmp_path / "key.json", tmp_path / "report.json", tmp_path / "altered.json"
    key.write_text(published.text)
    good.write_text(issued["signed"])
    altered = json.loads(issued["signed"])
    altered["document"]["status"]["tier"] = "A" if altered["document"]["status"]["tier"] != "A" else "D"
    bad.write_text(json.dumps(altered, ensure_ascii=False))
    env = cli_env(CREDITHUB_DATA_DIR=str(tmp_path))

    verified = run_cli("verify-report", str(good), "--public-key", str(key), env=env)
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["reportId"] == issued["reportId"]
    refused = run_cli("verify-report", str(bad), "--public-key", str(key), env=env)
    assert refused.returncode == 1
    assert "invalid report: the signature does not match" in refused.stderr
