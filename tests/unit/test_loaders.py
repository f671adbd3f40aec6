"""The lists kept newest first share one paged loader (`RequestLoaders._newest_first_pages` and
`_newest_first_counts`), which passes a filter key's fields to the list's queries by name: each
key's fields must be exactly the keyword filters its page and count queries take."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
from collections.abc import Callable
from typing import Any

import pytest

from credithub.db import audit as db_audit
from credithub.db import lists as db_lists
from credithub.db import objections as db_objections
from credithub.db import repairs as db_repairs
from resolvers.loaders import filters_of
from schema.context import (
    AuditReadFilterKey,
    AuditWriteFilterKey,
    ExitReviewFilterKey,
    ListEntryFilterKey,
    ObjectionFilterKey,
    RepairFilterKey,
)

PAGED = ("before_id", "limit")
LISTS = [
    (ListEntryFilterKey, db_lists.list_page, db_lists.count, ("state_at",)),
    (ExitReviewFilterKey, db_lists.exit_review_page, db_lists.exit_review_count, ()),
    (ObjectionFilterKey, db_objections.list_page, db_objections.count, ()),
    (RepairFilterKey, db_repairs.list_page, db_repairs.count, ()),
    (AuditReadFilterKey, db_audit.list_reads, db_audit.count_reads, ()),
    (AuditWriteFilterKey, db_audit.list_writes, db_audit.count_writes, ()),
]


def keywords(query: Callable[..., Any]) -> set[str]:
    parameters = inspect.signature(query).parameters.values()
    return {parameter.name for parameter in parameters if parameter.kind is inspect.Parameter.KEYWORD_ONLY}


@pytest.mark.parametrize(("key", "list_page", "count", "fixed"), LISTS, ids=lambda item: getattr(item, "__name__", ""))
def test_a_filter_key_names_exactly_the_filters_of_its_page_and_count_queries(
    key: type, list_page: Callable[..., Any], count: Callable[..., Any], fixed: tuple[str, ...]
) -> None:
    fields = {field.name for field in dataclasses.fields(key)}
    assert fields == keywords(list_page) - set(PAGED) - set(fixed)
    assert fields == keywords(count) - set(fixed)


def test_filters_of_gives_a_keys_fields_by_name() -> None:
    since = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    key = AuditReadFilterKey(client_id=3, subject_id=None, operation="records", since=since, until=None)
    assert filters_of(key) == {
        "client_id": 3,
        "subject_id": None,
        "operation": "records",
        "since": since,
        "until": None,
    }
