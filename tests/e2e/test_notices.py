"""Notices to the subject: every objection and repair outcome, the right to repair with each
adverse one, delivered through the subject's platforms as notice.created pushes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from credithub.db.pool import transaction
from credithub.domain.ids import IdKind, format_id
from credithub.domain.records import Category, Severity
from credithub.domain.subjects import SubjectKind
from credithub.services import clients, outbox
from credithub.services.ports import Deps
from platform_adapters.standard.simulator import PUSH_PATH, StandardSimulator
from tests import factories, loopback
from tests.e2e.conftest import Cast
from tests.e2e.test_workflows import APPLY, COMMITMENT, DECIDE, file, resolve

NOTICES = """
query($id: ID!) { subject(id: $id) { notices(first: 10) {
  totalCount edges { node { kind title body recordId objectionId repairApplicationId repairableFrom delivery deliveredAt } }
} } }"""


async def notices_of(client: Any, subject_id: int) -> dict[str, Any]:
    answer = await client.execute(NOTICES, id=format_id(IdKind.SUBJECT, subject_id))
    return answer


async def test_a_rejected_objection_brings_the_right_to_repair_and_both_reach_the_subjects_platform(
    deps: Deps, cast: Cast
) -> None:
    simulator = StandardSimulator(api_key="k", outbound_secret="")
    async with loopback.serve(simulator.app) as url:
        pushed = await clients.add_platform(deps, f"n-{factories.suffix()}", "Notified", push_url=url + PUSH_PATH)
        simulator.outbound_secret = pushed.outbound_secret
        async with transaction(deps.pool) as conn:
            merchant = await factories.subject(conn, SubjectKind.MERCHANT)
            await factories.account(conn, merchant.id, cast.platform_a)
            await factories.account(conn, merchant.id, pushed.code)
            record = await factories.record(
                conn,
                merchant.id,
                cast.platform_a,
                severity=Severity.GENERAL,
                category=Category.FALSE_ADVERTISING,
                occurred_at=factories.NOW - dt.timedelta(days=20),
            )
        objection = await file(cast.as_regulator, format_id(IdKind.RECORD, record.id))
        rejected = await resolve(cast.as_a, objection["objection"]["id"], upheld=False)
        assert rejected["__typename"] == "ResolveObjectionSuccess"

        answer = await notices_of(cast.as_regulator, merchant.id)
        nodes = [edge["node"] for edge in answer["data"]["subject"]["notices"]["edges"]]
        assert [node["kind"] for node in nodes] == ["RIGHT_TO_REPAIR", "OBJECTION_REJECTED"]  # newest first
        right = nodes[0]
        assert right["recordId"] == format_id(IdKind.RECORD, record.id)
        assert dt.datetime.fromisoformat(right["repairableFrom"]) > factories.NOW  # 3 months after the record
        assert cast.platform_a in right["body"]  # apply to the record's source
        assert {node["delivery"] for node in nodes} == {"QUEUED"}

        while await outbox.dispatch_due(deps):
            pass
        sent = [m for m in simulator.pushes.latest() if m["type"] == "notice.created"]
        assert sorted(m["data"]["kind"] for m in sent) == ["OBJECTION_REJECTED", "RIGHT_TO_REPAIR"]
        assert all(m["data"]["subject_id"] == format_id(IdKind.SUBJECT, merchant.id) for m in sent)
    answer = await notices_of(cast.as_regulator, merchant.id)
    assert {edge["node"]["delivery"] for edge in answer["data"]["subject"]["notices"]["edges"]} == {"DELIVERED"}


async def test_repair_outcomes_are_noticed_and_only_regulators_read_notices(deps: Deps, cast: Cast) -> None:
    async with transaction(deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        await factories.account(conn, merchant.id, cast.platform_a)
        record = await factories.record(
            conn,
            merchant.id,
            cast.platform_a,
            severity=Severity.MINOR,
            occurred_at=factories.NOW - dt.timedelta(days=5),
        )
    record_id = format_id(IdKind.RECORD, record.id)
    applied = (await cast.as_a.data(APPLY, recordId=record_id, evidence="已整改", commitment=COMMITMENT))[
        "applyForRepair"
    ]
    decided = await cast.as_regulator.data(DECIDE, id=applied["application"]["id"], approved=True, note="已履行义务")
    assert decided["decideRepair"]["__typename"] == "DecideRepairSuccess"
    answer = await notices_of(cast.as_regulator, merchant.id)
    [approved] = [edge["node"] for edge in answer["data"]["subject"]["notices"]["edges"]]
    assert (approved["kind"], approved["delivery"]) == ("REPAIR_APPROVED", "NO_CHANNEL")  # no platform to push to
    assert approved["repairApplicationId"] == applied["application"]["id"]

    denied = await notices_of(cast.as_a, merchant.id)
    assert denied["data"]["subject"]["notices"] is None
    assert denied["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
