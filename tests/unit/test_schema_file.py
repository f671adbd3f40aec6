from __future__ import annotations

from credithub.entrypoints.cli import SCHEMA_PATH
from credithub.entrypoints.graphql import build_schema


def test_the_checked_in_schema_matches_the_code() -> None:
    # When this fails, run `python -m credithub export-schema` and commit schema.graphql.
    assert SCHEMA_PATH.read_text() == build_schema().as_str() + "\n"


def test_the_schema_has_the_contract_names() -> None:
    sdl = SCHEMA_PATH.read_text()
    for name in (
        "interface Subject",
        "type Merchant implements Subject",
        "type Anchor implements Subject",
        "type McnAgency implements Subject",
        "subjectByCreditCode(creditCode: String!): Subject",
        "subjectByAccount(platform: String!, externalId: String!): Subject",
        "subject(id: ID!): Subject",
    ):
        assert name in sdl
