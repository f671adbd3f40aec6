"""What the hub stored before its stored forms came from one codec still reads back as it was,
and is written again byte for byte: statuses (the status store, the shared cache, the flag feed),
inbox events, queued push messages and what each platform family receives for them, and the
audit trail's before and after. data/stored_forms.json was written by the hand-written codecs
this one replaced, from the values below."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import orjson
import pytest

from credithub.domain import codec, deliveries
from credithub.domain.deliveries import Change, ChangeKind, Message, Pushed, Recipient
from credithub.domain.event_codec import decode_event, encode_event
from credithub.domain.events import Event, EventType, parse_event
from credithub.domain.flags import CreditStatus, Flag
from credithub.domain.measures import MeasureKind, Scope, Tier
from credithub.domain.records import LegalBasis, LegalBasisLevel, RecordStatus
from credithub.domain.samples import compute_sample_event
from credithub.domain.spans import Via
from credithub.domain.status_codec import decode_status, encode_status
from credithub.domain.subjects import RelationKind, SubjectKind
from platform_adapters.livestream import mapping as livestream
from platform_adapters.marketplace import mapping as marketplace
from platform_adapters.standard import client as standard
from tests import schemas

STORED = json.loads((Path(__file__).parent / "data" / "stored_forms.json").read_text(encoding="utf-8"))
SENT_AT = dt.datetime(2026, 11, 24, 10, 31, 5, tzinfo=dt.UTC)
AT = dt.datetime(2026, 11, 24, 10, 30, tzinfo=dt.UTC)
CST = dt.timezone(dt.timedelta(hours=8))
BASIS = LegalBasis("《关于健全社会信用体系的意见》（2025）：根据平台内商户信用状况实施差别化的管理和服务", "art. 12")


def _flag(measure: str, **changes: Any) -> Flag:
    fields: dict[str, Any] = {
        "measure": measure,
        "kind": MeasureKind.RESTRICTION,
        "mandatory": True,
        "scope": Scope.ALL_PLATFORMS,
        "legal_basis": BASIS,
        "legal_basis_level": LegalBasisLevel.LAW,
        "source_platform": "shopmall",
        "source_authority": None,
        "via": None,
        "record_ids": (1201, 1202),
        "list_entry_ids": (),
        "effective_from": AT - dt.timedelta(days=30),
        "effective_until": None,
        "enforced": True,
        "not_enforced_reason": None,
        "reason": "2 serious records in 12 months",
    }
    return Flag(**(fields | changes))


def sample_statuses() -> list[CreditStatus]:
    flags = (
        _flag("CAMPAIGN_EXCLUSION"),
        _flag(
            "LIVE_BAN",
            mandatory=False,
            via=Via(RelationKind.MCN_SIGNING, 991, SubjectKind.MCN_AGENCY, "星耀传媒"),
            legal_basis=LegalBasis("平台规则", None),
            legal_basis_level=LegalBasisLevel.PLATFORM_RULE,
        ),
        _flag("TRAFFIC_LIMIT", effective_until=AT + dt.timedelta(days=90), kind=MeasureKind.INCENTIVE),
        _flag(
            "NEW_LISTING_BAN",
            enforced=False,
            not_enforced_reason="OBJECTION_PENDING: measures are not applied",
            scope=Scope.ORIGIN_PLATFORM,
        ),
        _flag("JOINT_CONSTRAINT", source_platform=None, source_authority="市场监管总局", list_entry_ids=(77,)),
    )
    return [
        CreditStatus(
            48213, AT, "2025-01", Tier.C, "3 serious records", False, True, False, flags, AT + dt.timedelta(days=90)
        ),
        CreditStatus(7, AT.astimezone(CST), "2025-01", Tier.A, "", False, False, True, (), None),
    ]


def sample_events() -> list[Event]:
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    return [
        parse_event(compute_sample_event(event_type, now=now, rng=random.Random(seed)), person_key=b"stored", now=now)
        for event_type in EventType
        for seed in (1, 2)
    ]


def sample_push() -> tuple[Pushed, CreditStatus, Recipient, tuple[Change, ...]]:
    status = sample_statuses()[0]
    changes = (
        Change(ChangeKind.TIER, None, "B", "C"),
        Change(ChangeKind.FLAG_ADDED, "CAMPAIGN_EXCLUSION", None, "ENFORCED"),
        Change(ChangeKind.FLAG_ENFORCEMENT, "NEW_LISTING_BAN", "ENFORCED", "NOT_ENFORCED"),
    )
    return (
        Pushed(48213, SubjectKind.MERCHANT, "91330106MA2PBM9HX6"),
        status,
        Recipient("shopmall", ("SM41", "SM42")),
        changes,
    )


def _bytes(value: Any) -> bytes:
    """JSON as it is written: keys in order."""
    return orjson.dumps(value)


def test_stored_statuses_read_back_as_they_were_and_are_written_the_same_again() -> None:
    for status, stored in zip(sample_statuses(), STORED["statuses"], strict=True):
        assert decode_status(stored) == status
        assert _bytes(encode_status(status)) == _bytes(stored)


def test_a_stored_status_keeps_the_offset_its_instants_were_stored_with() -> None:
    read = decode_status(STORED["statuses"][1])
    assert read is not None
    assert read.as_of.utcoffset() == dt.timedelta(hours=8)


def test_events_waiting_in_an_inbox_read_back_as_they_were_and_are_written_the_same_again() -> None:
    for event, stored in zip(sample_events(), STORED["events"], strict=True):
        assert decode_event(stored) == event
        assert _bytes(encode_event(event)) == _bytes(stored)


def test_the_outbox_queues_a_status_push_as_it_did_before() -> None:
    queued = deliveries.encode_push(deliveries.compute_message(*sample_push()))
    # The database gives it its version when it inserts it (the message id).
    assert _bytes(queued | {"version": 918273}) == _bytes(STORED["push"]["payload"])


def _message(payload: dict[str, Any]) -> Message:
    return Message(5821, "shopmall", 48213, payload, AT, 1)


@pytest.mark.parametrize("stored", ["push", "legacy_push"])
def test_each_family_receives_a_queued_push_as_it_did_before(stored: str) -> None:
    message = _message(STORED[stored]["payload"])
    assert _bytes(livestream.status_notice(message, SENT_AT)) == _bytes(STORED[stored]["livestream"])
    assert _bytes(marketplace.status_notice(message, SENT_AT)) == _bytes(STORED[stored]["marketplace"])


def test_a_standard_platform_receives_the_push_the_contract_types() -> None:
    sent = standard._data(_message(STORED["push"]["payload"]))
    assert sent == STORED["push"]["payload"]
    body = {"type": deliveries.MESSAGE_TYPE, "timestamp": AT.isoformat(), "data": sent}
    assert schemas.errors("push/credit.status_changed.json", body) == []


def test_a_push_queued_before_the_joint_list_and_basis_levels_were_pushed_still_goes_out() -> None:
    """Messages queued before those fields existed (a dead one can be replayed any time later)
    read back without them; the standard body says null for what the message never held."""
    legacy = STORED["legacy_push"]["payload"]
    push = deliveries.read_push(_message(legacy))
    assert push.on_joint_constraint_list is None
    assert {flag.legal_basis_level for flag in push.flags} == {None}
    sent = standard._data(_message(legacy))
    assert sent["on_joint_constraint_list"] is None
    assert {key: value for key, value in sent.items() if key != "on_joint_constraint_list"} | {
        "flags": [{k: v for k, v in flag.items() if k != "legal_basis_level"} for flag in sent["flags"]]
    } == legacy
    body = {"type": deliveries.MESSAGE_TYPE, "timestamp": AT.isoformat(), "data": sent}
    assert schemas.errors("push/credit.status_changed.json", body) == []


def test_a_notice_is_not_read_as_a_status_push() -> None:
    notice = Message(5822, "shopmall", 48213, {"notice_id": "ntc_1", "accounts": ["SM41"]}, AT, 1, 0, "notice.created")
    with pytest.raises(ValueError, match=r"notice\.created"):
        deliveries.read_push(notice)
    assert standard._data(notice) == notice.payload


def test_the_audit_trail_keeps_values_as_it_did_before() -> None:
    values = [sample_statuses()[0], sample_events()[4], {"status": RecordStatus.ACTIVE}]
    assert _bytes(codec.encode(values)) == _bytes(STORED["audit"])
