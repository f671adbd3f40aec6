"""Screening: how names are scored and which bigrams find the candidates."""

from __future__ import annotations

import pytest

from credithub.domain import screening
from credithub.domain.errors import BatchTooLarge, InvalidValue
from credithub.domain.screening import Candidate, MatchedOn
from tests.factories import credit_code


def test_the_same_normalised_name_scores_one_and_unrelated_names_stay_below_the_default() -> None:
    assert screening.compute_score("上海信云美妆", "上海信云美妆") == 1.0
    for other in ("上海信云服饰", "杭州信云美妆", "上海佳禾美妆", "深圳星辰数码科技"):
        assert screening.compute_score("上海信云美妆", other) < screening.DEFAULT_THRESHOLD, other


def test_rare_bigrams_are_probes_and_a_name_of_common_ones_needs_two_together() -> None:
    counts = {"上海": 80_000, "美妆": 90_000, "海信": 2_500, "信云": 900, "云美": 150}
    assert screening.choose_probes(["上海", "海信", "信云", "云美", "美妆"], counts) == [("云美",), ("信云",)]
    assert screening.choose_probes(["上海", "美妆"], counts) == [("上海", "美妆")]
    assert screening.choose_probes(["新词"], {}) == [("新词",)]  # unknown to the statistics: rare


def test_a_credit_code_match_scores_one_and_merges_with_a_name_match_of_the_same_subject() -> None:
    candidates = [
        Candidate(1, "上海信云美妆", by_code=False),
        Candidate(1, "上海信云美妆", by_code=True),
        Candidate(2, "上海信云服饰", by_code=False),
        Candidate(3, "完全不同", by_code=True),
    ]
    ranked = screening.rank("上海信云美妆", candidates, threshold=0.8, limit=10)
    assert [(m.subject_id, m.score, m.matched_on) for m in ranked] == [
        (1, 1.0, (MatchedOn.CREDIT_CODE, MatchedOn.NAME)),
        (3, 1.0, (MatchedOn.CREDIT_CODE,)),
    ]


def test_queries_need_a_name_or_a_code_and_a_bad_code_does_not_fail_the_batch() -> None:
    parsed = screening.parse_queries([("上海信云美妆公司", "not a code"), (None, credit_code())])
    assert parsed[0].credit_code_error is not None
    assert parsed[1].credit_code is not None
    with pytest.raises(InvalidValue, match="needs a name or a creditCode"):
        screening.parse_queries([(" ", None)])
    with pytest.raises(BatchTooLarge):
        screening.parse_queries([("x", None)] * 101)
    with pytest.raises(InvalidValue, match="threshold"):
        screening.parse_threshold(1.5)


def test_a_name_over_the_limit_is_refused_naming_its_query_and_names_are_kept_trimmed() -> None:
    [query] = screening.parse_queries([("  上海信云美妆公司 ", None)])
    assert (query.name, query.credit_code, query.credit_code_error) == ("上海信云美妆公司", None, None)
    with pytest.raises(InvalidValue, match=r"queries\[1\]\.name is longer than 200"):
        screening.parse_queries([("short", None), ("名" * 201, None)])


def test_max_candidates_defaults_to_ten_and_stays_between_one_and_fifty() -> None:
    assert screening.parse_max_candidates(None) == 10
    assert screening.parse_max_candidates(50) == 50
    for bad in (0, 51):
        with pytest.raises(InvalidValue, match="maxCandidates must be between 1 and 50"):
            screening.parse_max_candidates(bad)
