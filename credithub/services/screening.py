"""Screening before onboarding (`screenSubjects`): which known subjects a name or credit code may
be, scored. Two round trips for a whole batch: normalise the names (the database's own rule),
then find every query's candidates; rapidfuzz scores them here."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from credithub.db import screening as db_screening
from credithub.domain import screening
from credithub.services.ports import Deps

STATISTICS_KEY: Final = "screening:gram-statistics"
STATISTICS_TTL_SECONDS: Final = 600  # ANALYZE moves them slowly; ten minutes old is fresh enough


@dataclass(frozen=True, slots=True)
class Screened:
    query: screening.ScreeningQuery
    name_key: str | None
    matches: list[screening.Match]


_statistics_cache: dict[str, tuple[float, dict[str, int]]] = {}  # per instance: small, slow-moving


async def _statistics(deps: Deps) -> dict[str, int]:
    cached = _statistics_cache.get(STATISTICS_KEY)
    if cached is not None and time.monotonic() - cached[0] < STATISTICS_TTL_SECONDS:
        return cached[1]
    found = await db_screening.get_gram_statistics(deps.pool)
    _statistics_cache[STATISTICS_KEY] = (time.monotonic(), found)
    return found


async def screen(
    deps: Deps,
    raw: Sequence[tuple[str | None, str | None]],
    threshold: float | None,
    limit: int | None,
    *,
    only_subject: int | None = None,
) -> list[Screened]:
    """One result per query, in order: the subjects at or above the threshold, best first. With
    `only_subject` (a subject client), no other subject is ever a candidate."""
    queries = screening.parse_queries(raw)
    cutoff = screening.parse_threshold(threshold)
    most = screening.parse_max_candidates(limit)
    normalised = await _normalise_names(deps, queries)
    probes, exact = _name_lookups(normalised, await _statistics(deps) if normalised else {})
    codes = [(n, query.credit_code) for n, query in enumerate(queries) if query.credit_code is not None]
    found = await db_screening.list_candidates(deps.pool, probes, exact, codes, screening.PER_PROBE)
    results = []
    for n, query in enumerate(queries):
        query_key = normalised[n][0] if n in normalised else None
        candidates = [c for c in found.get(n, []) if only_subject is None or c.subject_id == only_subject]
        matches = screening.rank(query_key, candidates, threshold=cutoff, limit=most)
        results.append(Screened(query, query_key, matches))
    return results


async def _normalise_names(deps: Deps, queries: Sequence[screening.ScreeningQuery]) -> dict[int, tuple[str, list[str]]]:
    """{query's position: (name key, bigrams)} for the queries that give a name, as the database
    normalises them (one round trip, none without a name)."""
    named = [(n, query.name) for n, query in enumerate(queries) if query.name is not None]
    if not named:
        return {}
    keys = await db_screening.normalise_names(deps.pool, [name for _, name in named])
    return {n: key_and_grams for (n, _), key_and_grams in zip(named, keys, strict=True)}


def _name_lookups(
    normalised: dict[int, tuple[str, list[str]]], statistics: dict[str, int]
) -> tuple[list[tuple[int, tuple[str, ...]]], list[tuple[int, str]]]:
    """The bigram probes and the exact name keys to find candidates by, per query position."""
    probes: list[tuple[int, tuple[str, ...]]] = []
    exact: list[tuple[int, str]] = []
    for n, (name_key, grams) in normalised.items():
        if name_key:
            exact.append((n, name_key))
            probes += [(n, probe) for probe in screening.choose_probes(grams, statistics)]
    return probes, exact
