"""The examples in docs/ are valid: every event example parses as the hub would parse it."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from credithub.domain.events import EventType, parse_event

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXAMPLES = [
    json.loads(block)
    for block in re.findall(r"```json\n(.*?)```", (DOCS / "webhooks.md").read_text(), re.DOTALL)
    if block.lstrip().startswith('{"type"') or block.lstrip().startswith('{\n  "type"')
]


def test_the_webhook_guide_shows_every_event_type() -> None:
    assert {example["type"] for example in EXAMPLES} == {event_type.value for event_type in EventType}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example["type"])
def test_every_event_example_in_the_webhook_guide_is_accepted(example: dict[str, object]) -> None:
    parse_event(example, person_key=b"docs", now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))


def _blocks(name: str) -> list[dict[str, object]]:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", (DOCS / name).read_text(), re.DOTALL)]


def test_the_standard_feed_example_is_a_page_the_standard_adapter_reads() -> None:
    from platform_adapters.standard.client import _page

    [feed, _push] = _blocks("standard-protocol.md")
    page = _page(feed)
    assert [item.item_id for item in page.items] == ["evt_000184", "evt_000185"]
    for item in page.items:
        parse_event(item.event, person_key=b"docs", now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))


def test_the_push_example_has_exactly_the_fields_the_hub_sends() -> None:
    from credithub.domain import deliveries
    from credithub.domain.flags import CreditStatus
    from credithub.domain.measures import Tier
    from credithub.domain.subjects import SubjectKind
    from credithub.services.read_models import platform_status_view

    [_feed, push] = _blocks("standard-protocol.md")
    status = CreditStatus(
        1, dt.datetime(2026, 12, 1, tzinfo=dt.UTC), "R2026", Tier.B, "", False, False, False, (), None
    )
    view = platform_status_view(status, "p")
    sent = deliveries.encode_push(
        deliveries.compute_message(
            deliveries.Pushed(1, SubjectKind.MERCHANT, "x"), view, deliveries.Recipient("p", ("a",)), ()
        )
    )
    assert push["type"] == deliveries.MESSAGE_TYPE
    assert set(push["data"]) == set(sent)  # type: ignore[arg-type]
    # The example is the typed message, field for field and in its order.
    typed = deliveries.PUSH.decode(deliveries.StatusPush, push["data"])
    assert json.dumps(deliveries.encode_push(typed), ensure_ascii=False) == json.dumps(push["data"], ensure_ascii=False)
