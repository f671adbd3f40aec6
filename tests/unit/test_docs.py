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
