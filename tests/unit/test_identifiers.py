from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credithub.domain.errors import InvalidIdentifier
from credithub.domain.identifiers import (
    USCC_ALPHABET,
    ResidentIdCheck,
    UsccCheck,
    compute_person_hash,
    parse_credit_code,
    parse_resident_id,
)
from tests.strategies import credit_codes, resident_ids

PUBLISHED = [
    line.strip()
    for line in (Path(__file__).parent / "data" / "uscc_published.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_credit_codes_are_accepted(code: str) -> None:
    assert parse_credit_code(code).value == code


@pytest.mark.parametrize(
    ("raw", "check"),
    [
        ("12345", UsccCheck.LENGTH),
        ("9111000060003IOZSV", UsccCheck.CHARSET),
        ("91110108551385082F", UsccCheck.CHECK_CHARACTER),
        ("91110000600037341N", UsccCheck.CHECK_CHARACTER),
        # passes mod 31 but fails the GB 11714 organization-code check (a favourite false positive)
        ("123456789012345678", UsccCheck.ORGANIZATION_CODE),
        # a letter in position 1 is legal (authority A), so this fails on its checksum, not its format
        ("A1110000600037341L", UsccCheck.CHECK_CHARACTER),
        # authority 9 issues categories 1-3 only
        ("95110000600037341L", UsccCheck.REGISTRATION_CATEGORY),
    ],
)
def test_invalid_credit_code_names_the_failed_check(raw: str, check: UsccCheck) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_credit_code(raw)
    assert (caught.value.kind, caught.value.check) == ("USCC", check.value)


def test_credit_code_is_normalised_to_upper_case_without_surrounding_space() -> None:
    assert parse_credit_code("  91310115ma1k3btp2b\n").value == "91310115MA1K3BTP2B"


def test_letters_in_the_first_two_positions_are_accepted() -> None:
    body = "MA2PBM9H"
    from credithub.domain.identifiers import compute_credit_code_check, compute_organization_check

    first17 = "N2" + "330106" + body + compute_organization_check(body)
    code = first17 + compute_credit_code_check(first17)
    assert parse_credit_code(code).registration_authority == "N"


@given(credit_codes())
def test_any_valid_credit_code_parses_to_itself(code: str) -> None:
    parsed = parse_credit_code(code.lower())
    assert parsed.value == code
    assert parse_credit_code(str(parsed)) == parsed


@given(credit_codes(), st.integers(min_value=0, max_value=17), st.sampled_from(USCC_ALPHABET))
def test_every_single_character_substitution_is_rejected(code: str, position: int, replacement: str) -> None:
    if code[position] == replacement:
        return
    with pytest.raises(InvalidIdentifier):
        parse_credit_code(code[:position] + replacement + code[position + 1 :])


@given(st.text(max_size=30))
def test_arbitrary_text_either_parses_or_raises_invalid_identifier(raw: str) -> None:
    try:
        parse_credit_code(raw)
    except InvalidIdentifier as exc:
        error = exc
    else:
        return
    assert error.check in {check.value for check in UsccCheck}


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014", "360426199101010071"])
def test_standard_resident_ids_are_accepted(number: str) -> None:
    assert parse_resident_id(number).value == number


@pytest.mark.parametrize(
    ("raw", "check"),
    [
        ("1101051949123100", ResidentIdCheck.LENGTH),
        ("11010519491231002Y", ResidentIdCheck.FORMAT),
        ("11010519491231002A", ResidentIdCheck.FORMAT),
        ("110105194902300021", ResidentIdCheck.BIRTH_DATE),  # 30 February
        ("110105194912310021", ResidentIdCheck.CHECK_DIGIT),
    ],
)
def test_invalid_resident_id_names_the_failed_check(raw: str, check: ResidentIdCheck) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_resident_id(raw)
    assert (caught.value.kind, caught.value.check) == ("RESIDENT_ID", check.value)


def test_a_birth_date_after_today_is_rejected() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_resident_id("11010519491231002X", today=dt.date(1949, 12, 30))
    assert caught.value.check == ResidentIdCheck.BIRTH_DATE.value


def test_lower_case_x_check_digit_is_accepted() -> None:
    assert parse_resident_id(" 11010519491231002x ").value == "11010519491231002X"


@given(resident_ids())
def test_any_valid_resident_id_parses(number: str) -> None:
    assert parse_resident_id(number).value == number


@given(st.text(alphabet="0123456789X", min_size=18, max_size=18))
def test_a_rejected_resident_id_never_appears_in_the_error(raw: str) -> None:
    try:
        parse_resident_id(raw)
    except InvalidIdentifier as exc:
        message = str(exc)
    else:
        return
    assert raw not in message
    assert raw[:14] not in message


def test_resident_id_repr_and_str_hide_the_number() -> None:
    resident = parse_resident_id("11010519491231002X")
    assert "11010519491231002X" not in repr(resident)
    assert "11010519491231002X" not in str(resident)


def test_person_hash_is_keyed_and_stable() -> None:
    resident = parse_resident_id("11010519491231002X")
    first = compute_person_hash(resident, b"key-one")
    assert first == compute_person_hash(parse_resident_id("11010519491231002x"), b"key-one")
    assert first != compute_person_hash(resident, b"key-two")
    assert len(first) == 32


@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_the_check_character_agrees_with_python_stdnum(first17: str) -> None:
    from stdnum.cn import uscc

    from credithub.domain.identifiers import compute_credit_code_check

    assert compute_credit_code_check(first17) == uscc.calc_check_digit(first17)


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8))
def test_the_organization_check_follows_gb_11714(body: str) -> None:
    from credithub.domain.identifiers import compute_organization_check

    total = sum(int(char, 36) * weight for char, weight in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    expected = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
    assert compute_organization_check(body) == expected
