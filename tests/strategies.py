"""Hypothesis strategies for valid identifiers, built from the check-character functions."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st
from stdnum.cn import ric

from credithub.domain.identifiers import (
    REGISTRATION_CATEGORIES,
    USCC_ALPHABET,
    compute_credit_code_check,
    compute_organization_check,
)

ORG_BODY_ALPHABET = USCC_ALPHABET  # codes in use draw the body from the USCC alphabet


@st.composite
def credit_codes(draw: st.DrawFn) -> str:
    authority = draw(st.sampled_from(sorted(REGISTRATION_CATEGORIES)))
    category = draw(st.sampled_from(sorted(REGISTRATION_CATEGORIES[authority])))
    region = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    body = draw(st.text(alphabet=ORG_BODY_ALPHABET, min_size=8, max_size=8))
    first17 = authority + category + region + body + compute_organization_check(body)
    return first17 + compute_credit_code_check(first17)


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    region = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    birth = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)))
    sequence = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")
