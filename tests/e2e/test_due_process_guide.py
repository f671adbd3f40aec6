"""docs/due-process.md runs on the demo world: every query and mutation of its three walkthroughs,
in order, with the demo token its comment names, answers without errors — and each mutation (or
query with a result union) answers its success type, or exactly the refusal the guide says it shows."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.demo_hub import DemoHub, serve_demo

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "due-process.md"
BLOCKS = re.findall(r"```graphql\n(.*?)```", GUIDE.read_text(), re.DOTALL)
ROLE = re.compile(r"^# as (\w+)", re.MULTILINE)
ANSWERS = re.compile(r"^# answers (\w+)", re.MULTILINE)
MUTATION = re.compile(r"^mutation\b", re.MULTILINE)


@pytest.fixture(scope="module")
async def hub(server_dsn: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[DemoHub]:
    async with serve_demo(server_dsn, template_db, tmp_path_factory.mktemp("guide")) as served:
        yield served


def test_every_block_names_the_demo_token_it_runs_with() -> None:
    assert len(BLOCKS) >= 15
    roles = [ROLE.search(block) for block in BLOCKS]
    assert all(roles), [block for block, role in zip(BLOCKS, roles, strict=True) if role is None]
    assert {role.group(1) for role in roles if role} == {"regulator", "shopmall", "subject"}
    assert sum(1 for block in BLOCKS if MUTATION.search(block)) >= 10


async def test_the_walkthroughs_run_in_order_on_the_demo_world(hub: DemoHub) -> None:
    problems: list[str] = []
    for number, block in enumerate(BLOCKS, start=1):
        role = ROLE.search(block)
        assert role is not None
        answer = await hub.as_(role.group(1)).execute(block)
        expected = ANSWERS.search(block)
        problem = _problem(answer, expected.group(1) if expected else None, MUTATION.search(block) is not None)
        if problem:
            problems.append(f"block {number} ({block.splitlines()[0]}…): {problem}")
    assert not problems, "\n".join(problems)


def _problem(answer: dict[str, Any], expected: str | None, mutation: bool) -> str | None:
    if "errors" in answer:
        return f"errors {answer['errors']}"
    typenames = [value.get("__typename") for value in answer["data"].values() if isinstance(value, dict)]
    if mutation and (None in typenames or not typenames):
        return "a mutation in the guide must select __typename, so a refusal cannot pass for a success"
    typenames = [name for name in typenames if name is not None]
    if expected is None and any(name.endswith("Error") for name in typenames):
        return f"refused: {answer['data']}"
    if expected is not None and expected not in typenames:
        return f"expected {expected}, got {answer['data']}"
    return None
