"""Scalars the hub parses itself rather than taking Strawberry's defaults.

`DateTime` inputs go through `domain.instants`: an ISO 8601 date-time with a UTC offset, inside
the span the hub accepts, turned into UTC. Strawberry's default takes naive times and the year 1,
which then fail deep inside a computation (an `INTERNAL` error) instead of at the edge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Final

from strawberry.types.scalar import ScalarDefinition

from credithub.domain.instants import parse_instant

# Scalars do not know which argument they parse: their errors name this placeholder, and
# `entrypoints.graphql.ErrorPolicy` puts the argument's path (`asOf`, `input.occurredAt`) in its place.
SCALAR_FIELD: Final = "DateTime"


def _serialize(value: dt.datetime) -> str:
    return value.isoformat()


def _parse(value: object) -> dt.datetime:
    return parse_instant(value, SCALAR_FIELD)


DATETIME: Final = ScalarDefinition(
    name="DateTime",
    description="An instant: ISO 8601 with a UTC offset (e.g. 2026-05-01T10:00:00+08:00), between 1900 and 2200.",
    specified_by_url=None,
    serialize=_serialize,
    parse_value=_parse,
    parse_literal=None,
    origin=dt.datetime,
)

SCALAR_MAP: Final[Mapping[object, ScalarDefinition]] = {dt.datetime: DATETIME}
