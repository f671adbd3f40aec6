"""Screening queries: normalised names, bigram statistics, candidates; anchors by person hash."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from credithub.db.facts import SubjectVersion
from credithub.db.pool import Executor
from credithub.db.queries import QUERIES
from credithub.domain.screening import Candidate
from credithub.domain.subjects import SubjectKind

SQL: Final = QUERIES["screening"]


async def normalise_names(conn: Executor, names: list[str]) -> list[tuple[str, list[str]]]:
    """(normalised name, its bigrams) per name, in order."""
    return [(row["name_key"], list(row["grams"])) for row in await conn.fetch(SQL["normalise_names"], names)]


async def get_gram_statistics(conn: Executor) -> dict[str, int]:
    """{bigram: subjects holding it} for the most common bigrams."""
    return {row["gram"]: row["subjects"] for row in await conn.fetch(SQL["get_gram_statistics"])}


async def list_candidates(
    conn: Executor,
    probes: Sequence[tuple[int, tuple[str, ...]]],
    exact: Sequence[tuple[int, str]],
    codes: Sequence[tuple[int, str]],
    per_probe: int,
) -> dict[int, list[Candidate]]:
    """Candidates per query number: by probe (bigrams held), by the same normalised name, by code."""
    found = await conn.fetch(
        SQL["list_candidates"],
        [n for n, _ in probes],
        ["|".join(grams) for _, grams in probes],
        per_probe,
        [n for n, _ in exact],
        [key for _, key in exact],
        [n for n, _ in codes],
        [code for _, code in codes],
    )
    grouped: dict[int, list[Candidate]] = {}
    for row in found:
        grouped.setdefault(row["n"], []).append(Candidate(row["id"], row["name_key"] or "", row["by_code"]))
    return grouped


async def resolve_person_hashes(conn: Executor, hashes: list[bytes]) -> dict[bytes, SubjectVersion]:
    found = await conn.fetch(SQL["resolve_person_hashes"], hashes)
    return {
        bytes(row["id_hash"]): SubjectVersion(
            id=row["id"],
            kind=SubjectKind(row["kind"]),
            name=row["name"],
            credit_code=row["credit_code"],
            facts_version=row["facts_version"],
            config_version=row["config_version"],
            stored=row["stored"],
        )
        for row in found
    }
