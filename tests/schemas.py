"""The JSON Schemas in docs/schemas/, loaded for validation with their relative $refs resolved."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "schemas"
BASE = "https://credithub.invalid/schemas/"  # a base for relative $refs only; nothing is fetched


def _retrieve(uri: str) -> Resource:
    path = SCHEMAS / uri.removeprefix(BASE)
    return Resource.from_contents(json.loads(path.read_text()))


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator for docs/schemas/<name> (e.g. "event.json", "push/credit.status_changed.json")."""
    registry: Registry = Registry(retrieve=_retrieve)  # type: ignore[call-arg]
    schema = {"$ref": BASE + name}
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


def errors(name: str, instance: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(instance)]
