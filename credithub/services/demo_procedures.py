"""The demo's due-process stories, acted out through the services at the instants they happened.

`credithub.demo.cast` chooses who plays which part; each step here calls the same service a
platform or a regulator would call over GraphQL, with the clock set back to when the step
happened, so every entry, defence, notice, exit review, correction and audit row is one the hub
itself wrote. What the demo holds afterwards (with `CREDITHUB_DEFENCE_DAYS` = D):

    expired      proposed 400 days ago, in force from D+1 days later until 30 days ago: ENDED (EXPIRED)
    exited       proposed 200 days ago, in force, ended by its authority 20 days ago: ENDED (EXIT)
    dropped      proposed 60 days ago, defended by its platform within the window, dropped: DROPPED
    in force     proposed 90 days ago, in force for a year: IN_FORCE
    reviewed     in force; its record revoked by its platform 5 days ago: an OPEN exit review
    awaiting     proposed D+2 days ago and defended: PROPOSED, deadline passed, waiting for a decision
    defending    proposed 2 days ago: PROPOSED, defence window open (the demo `subject` client)
    corrected    an escalated objection upheld 7 days ago with a correction (SERIOUS → GENERAL)
    commitments  the in-force merchant's, made a month before its violation: BROKEN by it; the
                 defending merchant's, made yesterday: IN_TERM

Every listing is a JOINT_CONSTRAINT entry proposed by the platform that reported its record and
decided by the demo regulator, bound to the body that runs that list.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Final

from credithub.db import objections as db_objections
from credithub.db import records as db_records
from credithub.db.pool import transaction
from credithub.db.world import WorldIds
from credithub.demo.cast import DemoCast, Part
from credithub.domain import events, lists
from credithub.domain.clients import Client
from credithub.domain.objections import ObjectionStatus, Outcome
from credithub.domain.records import LegalBasis, LegalBasisLevel, Reclassification, Severity
from credithub.services import commitments as commitment_service
from credithub.services import lists as list_service
from credithub.services import objections as objection_service
from credithub.services import reports
from credithub.services.ports import Deps

DAY: Final = dt.timedelta(days=1)
JOINT_LIST_BASIS: Final = LegalBasis(
    "《中共中央办公厅 国务院办公厅关于健全社会信用体系的意见》（2025）：引导平台企业建立平台间失信联合约束制度；"
    "平台间失信联合约束名单管理规则",
    None,
)
JOINT_LIST_EXIT: Final = "有效期届满自动移出；纠正失信行为、履行相关义务后，可向名单管理机构申请提前移出"


@dataclass(frozen=True, slots=True)
class _FixedClock:
    instant: dt.datetime

    def now(self) -> dt.datetime:
        return self.instant


@dataclass(frozen=True, slots=True)
class Actors:
    regulator: Client  # bound to the body that runs the inter-platform list
    platforms: dict[str, Client]  # by platform code


def _at(deps: Deps, instant: dt.datetime) -> Deps:
    return dataclasses.replace(deps, clock=_FixedClock(instant.replace(microsecond=0)))


async def act_out(deps: Deps, cast: DemoCast, ids: WorldIds, actors: Actors, now: dt.datetime) -> Counter[str]:
    """Play every story; returns the rows they added, named as in `World.counts`."""
    story = _Story(deps, ids, actors)
    defence = deps.settings.defence_days * DAY
    expired = await story.propose(cast.expired, now - 400 * DAY)
    await story.decide(expired, now - 400 * DAY + defence + DAY, until=now - 30 * DAY)
    exited = await story.propose(cast.exited, now - 200 * DAY)
    decided = now - 200 * DAY + defence + DAY
    await story.decide(exited, decided, until=decided + 365 * DAY)
    await list_service.end_listing(
        _at(deps, now - 20 * DAY), actors.regulator, exited.id, "已纠正失信行为并履行赔付义务，经申请提前移出"
    )
    dropped = await story.propose(cast.dropped, now - 60 * DAY)
    await story.defend(dropped, cast.dropped, "涉事订单系他人盗用店铺账号所为，已提交报案回执与后台登录日志。")
    await list_service.decide_listing(
        _at(deps, now - 60 * DAY + defence + 2 * DAY),
        actors.regulator,
        dropped.id,
        listed=False,
        note="申辩成立：账号被盗用的证据充分，不予列入。",
        decision_ref=None,
        valid_until=None,
    )
    in_force = await story.propose(cast.in_force, now - 90 * DAY)
    decided = now - 90 * DAY + defence + DAY
    await story.decide(in_force, decided, until=decided + 365 * DAY)
    reviewed = await story.propose(cast.reviewed, now - 120 * DAY)
    decided = now - 120 * DAY + defence + DAY
    await story.decide(reviewed, decided, until=decided + 365 * DAY)
    await story.revoke(cast.reviewed, now - 5 * DAY, "复核发现认定所依据的检测报告有误，撤回违规记录")
    awaiting = await story.propose(cast.awaiting, now - defence - 2 * DAY)
    await story.defend(awaiting, cast.awaiting, "违规行为系前任运营团队所为，本店已更换团队并完成整改。")
    await story.propose(cast.defending, now - 2 * DAY)
    await story.correct(cast.corrected_record, now - 7 * DAY)
    await story.commit_before_record(cast.in_force)  # BROKEN by the record its listing rests on
    await story.commit(cast.defending, now - DAY)  # IN_TERM: made while its listing is proposed
    return story.added


class _Story:
    def __init__(self, deps: Deps, ids: WorldIds, actors: Actors) -> None:
        self.deps, self.ids, self.actors = deps, ids, actors
        self.added: Counter[str] = Counter()

    async def propose(self, part: Part, at: dt.datetime) -> lists.ListEntry:
        """The platform that reported the record proposes the merchant for the inter-platform list."""
        record_id = self.ids.records[part.record_index]
        record = (await db_records.get_many(self.deps.pool, [record_id]))[record_id]
        proposal = lists.Proposal(
            list=lists.ListKind.JOINT_CONSTRAINT,
            subject_id=self.ids.subjects[part.subject_index],
            record_ids=(record_id,),
            reason=f"严重失信：{record.description}（{record.source.ref}）",
            legal_basis=JOINT_LIST_BASIS,
            legal_basis_level=LegalBasisLevel.NORMATIVE_DOCUMENT,
            exit_condition=JOINT_LIST_EXIT,
        )
        self.added["list_entries"] += 1
        return await list_service.propose_listing(_at(self.deps, at), self.actors.platforms[part.platform], proposal)

    async def defend(self, entry: lists.ListEntry, part: Part, statement: str) -> None:
        """The merchant's platform states its defence halfway through the window (none without one)."""
        assert entry.defence_deadline is not None
        if entry.defence_deadline > entry.proposed_at:
            at = entry.proposed_at + (entry.defence_deadline - entry.proposed_at) / 2
            platform = self.actors.platforms[part.platform]
            await list_service.submit_defence(_at(self.deps, at), platform, entry.id, statement)

    async def decide(self, entry: lists.ListEntry, at: dt.datetime, *, until: dt.datetime) -> None:
        await list_service.decide_listing(
            _at(self.deps, at),
            self.actors.regulator,
            entry.id,
            listed=True,
            note="经核查，违规事实清楚，当事人未提出足以推翻的申辩理由，决定列入。",
            decision_ref=f"平台联约〔{at.year}〕{entry.id}号",
            valid_until=until.replace(microsecond=0),
        )

    async def commit_before_record(self, part: Part) -> None:
        """A public commitment the merchant made a month before the violation its listing rests on:
        that record, occurring within the term, broke it."""
        record_id = self.ids.records[part.record_index]
        record = (await db_records.get_many(self.deps.pool, [record_id]))[record_id]
        await self.commit(part, record.occurred_at - 30 * DAY)

    async def commit(self, part: Part, at: dt.datetime) -> None:
        """The merchant's written commitment (信用承诺), recorded by the regulator who received it."""
        await commitment_service.make_commitment(
            _at(self.deps, at),
            self.actors.regulator,
            self.ids.subjects[part.subject_index],
            content="诚信经营，不刷单炒信、不虚假宣传；如有违反，自愿接受平台间联合约束。",
            purpose="入驻平台信用承诺",
            term_from=None,
            term_until=(at + 2 * 365 * DAY).replace(microsecond=0),
        )

    async def revoke(self, part: Part, at: dt.datetime, reason: str) -> None:
        record_id = self.ids.records[part.record_index]
        async with transaction(self.deps.pool) as conn:
            record = (await db_records.get_many(conn, [record_id]))[record_id]
            command = events.ViolationRevoked(violation_id=record.source.ref, reason=reason)
            await reports.revoke_violation(conn, part.platform, command, at.replace(microsecond=0))
        self.added["status_changes"] += 1

    async def correct(self, record_index: int, at: dt.datetime) -> None:
        """The regulator upholds an escalated objection by correcting the record's severity."""
        record_id = self.ids.records[record_index]
        objections = await db_objections.list_of_record(self.deps.pool, record_id)
        [open_one] = [objection for objection in objections if objection.status is ObjectionStatus.OPEN]
        record = (await db_records.get_many(self.deps.pool, [record_id]))[record_id]
        await objection_service.resolve_objection(
            _at(self.deps, at),
            self.actors.regulator,
            open_one.id,
            True,
            "经核查，违规事实属实，但未造成严重后果，更正为一般失信。",
            outcome=Outcome.CORRECT,
            correction=Reclassification(record.category, Severity.GENERAL),
        )
        self.added["status_changes"] += 1  # OBJECTION_PENDING → ACTIVE, corrected
