from __future__ import annotations

import pytest

from credithub.domain.errors import InvalidId
from credithub.domain.ids import IdKind, format_id, parse_id


def test_an_id_round_trips_through_its_public_form() -> None:
    assert format_id(IdKind.SUBJECT, 42) == "sub_42"
    assert parse_id(IdKind.SUBJECT, " sub_42 ") == 42


@pytest.mark.parametrize("raw", ["rec_42", "sub_", "sub_-1", "sub_4x", "42", "", "sub_１２", "sub_" + "9" * 19])
def test_malformed_or_foreign_ids_are_refused(raw: str) -> None:
    with pytest.raises(InvalidId):
        parse_id(IdKind.SUBJECT, raw)
