"""The JSON Schemas and the AsyncAPI document in docs/ say what the code parses and builds:
every docs example validates, every schema is valid, the enumerations are the code's, and each
field a schema calls required is one the parser refuses to go without (and the reverse)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from credithub.domain import deliveries
from credithub.domain.errors import InvalidInput
from credithub.domain.events import EventType, parse_event
from credithub.domain.executions import ExecutionAction
from credithub.domain.records import Category, Severity
from credithub.domain.subjects import AccountStatus, RelationKind
from tests import schemas

DOCS = Path(__file__).resolve().parents[2] / "docs"
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
KEY = b"docs"


def _json_blocks(name: str) -> list[Any]:
    """Every JSON value shown in a ```json block (a block of one-line values gives each)."""
    found = []
    for block in re.findall(r"```json\n(.*?)```", (DOCS / name).read_text(), re.DOTALL):
        try:
            found.append(json.loads(block))
        except json.JSONDecodeError:
            found += [json.loads(line) for line in block.splitlines() if line.strip()]
    return found


def _event_examples() -> list[dict[str, Any]]:
    return [block for block in _json_blocks("webhooks.md") if isinstance(block, dict) and "type" in block]


EVENTS = {example["type"]: example for example in _event_examples()}


@pytest.mark.parametrize(
    "path", sorted(p.relative_to(schemas.SCHEMAS).as_posix() for p in schemas.SCHEMAS.rglob("*.json"))
)
def test_every_schema_is_a_valid_json_schema(path: str) -> None:
    Draft202012Validator.check_schema(json.loads((schemas.SCHEMAS / path).read_text()))


@pytest.mark.parametrize("example", _event_examples(), ids=lambda example: example["type"])
def test_every_event_example_in_the_guide_validates_against_its_schema(example: dict[str, Any]) -> None:
    assert schemas.errors(f"events/{example['type']}.json", example) == []
    assert schemas.errors("event.json", example) == []


def test_every_event_type_the_hub_parses_has_a_schema_and_nothing_else_does() -> None:
    names = {p.stem for p in (schemas.SCHEMAS / "events").glob("*.json")}
    assert names == {event_type.value for event_type in EventType}


def test_the_standard_protocol_examples_validate() -> None:
    feed, push = _json_blocks("standard-protocol.md")
    assert schemas.errors("feed-page.json", feed) == []
    assert schemas.errors("push/credit.status_changed.json", push) == []


def _enum(name: str, *path: str) -> set[str]:
    node: Any = json.loads((schemas.SCHEMAS / name).read_text())
    for key in path:
        node = node[key]
    return set(node["enum"])


def test_the_schemas_enumerations_are_the_codes() -> None:
    assert _enum("common.json", "$defs", "category") == {c.value for c in Category if not c.is_positive}
    assert _enum("common.json", "$defs", "severity") == {s.value for s in Severity}
    data = ("properties", "data", "properties")
    assert _enum("events/account.updated.json", *data, "status") == {s.value for s in AccountStatus}
    assert _enum("events/relation.changed.json", *data, "relation") == {r.value for r in RelationKind}
    assert _enum("events/measure.executed.json", *data, "action") == {a.value for a in ExecutionAction}
    change = _enum("push/credit.status_changed.json", "$defs", "change", "properties", "kind")
    assert change == {kind.value for kind in deliveries.ChangeKind}


def _parses(event: dict[str, Any]) -> bool:
    try:
        parse_event(event, person_key=KEY, now=NOW)
    except InvalidInput:
        return False
    return True


def _fields(event: dict[str, Any]) -> list[tuple[str, ...]]:
    """Every path to a value in the event (objects walked, lists not)."""
    found: list[tuple[str, ...]] = []

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                found.append((*path, key))
                walk(value, (*path, key))

    walk(event, ())
    return found


def _without(event: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    node = changed
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return changed


CASES = [(event_type, path) for event_type, event in EVENTS.items() for path in _fields(event)]


@pytest.mark.parametrize(("event_type", "path"), CASES, ids=[f"{t}:{'.'.join(p)}" for t, p in CASES])
def test_a_field_is_required_by_the_schema_exactly_when_the_parser_needs_it(
    event_type: str, path: tuple[str, ...]
) -> None:
    event = _without(EVENTS[event_type], path)
    schema_accepts = schemas.errors(f"events/{event_type}.json", event) == []
    assert schema_accepts == _parses(event), f"schema accepts: {schema_accepts}"


@pytest.mark.parametrize(
    ("event_type", "path", "value"),
    [
        ("violation.reported", ("data", "occurred_at"), "2026-11-18 15:00"),
        ("violation.reported", ("data", "occurred_at"), "2026-11-18T15:00:00"),
        ("violation.reported", ("data", "category"), "RED_LIST"),
        ("violation.reported", ("data", "severity"), "WORSE"),
        ("violation.reported", ("data", "subject", "kind"), "PERSON"),
        ("violation.reported", ("data", "subject", "credit_code"), "91330106MA2PBM9HX"),
        ("violation.reported", ("data", "description"), ""),
        ("violation.reported", ("data", "violation_id"), "x" * 201),
        ("account.updated", ("data", "status"), "FROZEN"),
        ("relation.changed", ("data", "relation"), "FRIENDS"),
        ("relation.changed", ("data", "from", "kind"), "ANCHOR"),
        ("measure.executed", ("data", "action"), "DONE"),
        ("measure.executed", ("data", "measure"), "LIVE STREAM BAN"),
    ],
)
def test_a_value_the_schema_refuses_the_parser_refuses_too(event_type: str, path: tuple[str, ...], value: Any) -> None:
    event = copy.deepcopy(EVENTS[event_type])
    node = event
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert schemas.errors(f"events/{event_type}.json", event) != []
    assert not _parses(event)


def test_the_asyncapi_document_names_every_event_both_ways_with_a_schema() -> None:
    document = yaml.safe_load((DOCS / "asyncapi.yaml").read_text())
    assert document["asyncapi"].startswith("3.")
    messages = document["components"]["messages"]
    inbound = {m["name"] for key, m in messages.items() if key in document["channels"]["platformEvents"]["messages"]}
    assert inbound == {event_type.value for event_type in EventType}
    outbound = {m["name"] for key, m in messages.items() if key in document["channels"]["statusPushes"]["messages"]}
    assert outbound == {deliveries.MESSAGE_TYPE}
    for message in messages.values():
        schema_file = DOCS / message["payload"]["$ref"]
        assert schema_file.exists(), message["payload"]["$ref"]
        assert json.loads(schema_file.read_text())["title"].startswith(message["name"])
    for operation in document["operations"].values():
        channel = operation["channel"]["$ref"].removeprefix("#/channels/")
        assert channel in document["channels"]


@pytest.mark.parametrize("event_type", list(EventType), ids=lambda event_type: event_type.value)
def test_every_sample_event_the_cli_triggers_validates_and_parses(event_type: EventType) -> None:
    import random

    from credithub.domain import samples

    for seed in range(20):
        event = samples.compute_sample_event(event_type, now=NOW, rng=random.Random(seed))
        assert schemas.errors("event.json", event) == []
        assert _parses(event)
