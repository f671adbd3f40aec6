"""What execution gaps are computed from (db/sql/execution_gaps.sql)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

from credithub.db import rows
from credithub.db.pool import Executor
from credithub.db.queries import QUERIES
from credithub.domain.executions import FlagSpan, PushedFlag
from credithub.domain.subjects import Signing

SQL: Final = QUERIES["execution_gaps"]


async def list_pushed_mandatory(conn: Executor, at: dt.datetime) -> list[PushedFlag]:
    return [
        PushedFlag(row["subject_id"], row["measure"], row["since"], tuple(row["platforms"]))
        for row in await conn.fetch(SQL["list_pushed_mandatory"], at)
    ]


async def list_flag_spans(conn: Executor, measures: Sequence[str]) -> list[FlagSpan]:
    return [
        FlagSpan(row["subject_id"], row["measure"], row["start"], row["end"])
        for row in await conn.fetch(SQL["list_flag_spans"], list(measures))
    ]


async def list_signings_of_agencies(conn: Executor, agency_ids: list[int]) -> list[Signing]:
    return [rows.signing(row) for row in await conn.fetch(SQL["list_signings_of_agencies"], agency_ids)]
