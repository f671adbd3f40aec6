"""Screening names and codes before onboarding: which subjects the hub knows may be the one asked
about, each with a score.

Names are compared normalised (the database's `subject_name_key`: full/half width, case, spaces,
punctuation, legal-form suffixes), so 上海信云美妆公司 and 上海信云美妆有限公司 are the same name.
Candidates are the subjects sharing the query's rarest character bigrams (a GIN index finds them);
`compute_score` is rapidfuzz's normalised Indel similarity of the two normalised names, from 0
(nothing in common) to 1 (the same). A credit code that matches is a match whatever the name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from rapidfuzz.distance import Indel

from credithub.domain.errors import BatchTooLarge, InvalidIdentifier, InvalidValue
from credithub.domain.identifiers import parse_credit_code
from credithub.domain.texts import check_storable

MAX_QUERIES: Final = 100
MAX_NAME: Final = 200
DEFAULT_THRESHOLD: Final = 0.8
DEFAULT_CANDIDATES: Final = 10
MAX_CANDIDATES: Final = 50
# A bigram held by more subjects than this is too common to find candidates by on its own.
RARE_LIMIT: Final = 2000
MAX_PROBES: Final = 4
PER_PROBE: Final = 200


class MatchedOn(StrEnum):
    CREDIT_CODE = "CREDIT_CODE"
    NAME = "NAME"


@dataclass(frozen=True, slots=True)
class ScreeningQuery:
    name: str | None
    credit_code: str | None  # valid, normalised
    credit_code_error: InvalidIdentifier | None


@dataclass(frozen=True, slots=True)
class Candidate:
    subject_id: int
    name_key: str
    by_code: bool


@dataclass(frozen=True, slots=True)
class Match:
    subject_id: int
    score: float
    matched_on: tuple[MatchedOn, ...]


def parse_queries(raw: Sequence[tuple[str | None, str | None]]) -> list[ScreeningQuery]:
    """(name, credit code) pairs: at least one of each pair; a bad code is kept as its error."""
    if len(raw) > MAX_QUERIES:
        raise BatchTooLarge(len(raw), MAX_QUERIES, field="queries")
    return [_parse_query(index, name, code) for index, (name, code) in enumerate(raw)]


def _parse_query(index: int, raw_name: str | None, raw_code: str | None) -> ScreeningQuery:
    name = _parse_name(index, raw_name)
    code = (raw_code or "").strip() or None
    if name is None and code is None:
        raise InvalidValue(f"queries[{index}] needs a name or a creditCode", field="queries")
    if code is None:
        return ScreeningQuery(name, None, None)
    try:
        return ScreeningQuery(name, parse_credit_code(code, field_name="creditCode").value, None)
    except InvalidIdentifier as exc:
        return ScreeningQuery(name, None, exc)


def _parse_name(index: int, raw: str | None) -> str | None:
    name = (raw or "").strip() or None
    if name is None:
        return None
    if len(name) > MAX_NAME:
        raise InvalidValue(f"queries[{index}].name is longer than {MAX_NAME} characters", field="name")
    check_storable(name, "name")
    return name


def parse_threshold(raw: float | None) -> float:
    threshold = DEFAULT_THRESHOLD if raw is None else raw
    if not 0.0 <= threshold <= 1.0:
        raise InvalidValue("threshold must be between 0 and 1", field="threshold")
    return threshold


def parse_max_candidates(raw: int | None) -> int:
    most = DEFAULT_CANDIDATES if raw is None else raw
    if not 1 <= most <= MAX_CANDIDATES:
        raise InvalidValue(f"maxCandidates must be between 1 and {MAX_CANDIDATES}", field="maxCandidates")
    return most


def choose_probes(grams: Sequence[str], subjects_holding: Mapping[str, int]) -> list[tuple[str, ...]]:
    """Which bigram sets to look candidates up by. Bigrams the statistics do not count as common
    are rare: each of the rarest few is a probe. When every bigram is common (a name made only of
    place names and trade words), the candidates must hold the two rarest together."""
    if not grams:
        return []
    ranked = sorted(grams, key=lambda gram: (subjects_holding.get(gram, 0), gram))
    rare = [gram for gram in ranked if subjects_holding.get(gram, 0) <= RARE_LIMIT]
    if rare:
        return [(gram,) for gram in rare[:MAX_PROBES]]
    return [tuple(ranked[:2])]


def compute_score(query_key: str, candidate_key: str) -> float:
    """Normalised Indel similarity of two normalised names: 1.0 the same, 0.0 nothing shared."""
    if not query_key or not candidate_key:
        return 0.0
    return round(Indel.normalized_similarity(query_key, candidate_key), 4)


def rank(query_key: str | None, candidates: Sequence[Candidate], *, threshold: float, limit: int) -> list[Match]:
    """The candidates at or above the threshold, best first; a credit-code match scores 1."""
    matched: dict[int, set[MatchedOn]] = {}
    scores: dict[int, float] = {}
    for candidate in candidates:
        by_name = compute_score(query_key, candidate.name_key) if query_key else 0.0
        found = matched.setdefault(candidate.subject_id, set())
        if candidate.by_code:
            found.add(MatchedOn.CREDIT_CODE)
        if query_key and by_name >= threshold:
            found.add(MatchedOn.NAME)
        scores[candidate.subject_id] = max(scores.get(candidate.subject_id, 0.0), 1.0 if candidate.by_code else by_name)
    kept = [Match(subject_id, scores[subject_id], tuple(sorted(on))) for subject_id, on in matched.items() if on]
    kept.sort(key=lambda match: (-match.score, -len(match.matched_on), match.subject_id))
    return kept[:limit]
