"""Every malformed request is a 4xx with a JSON body; every client mistake a typed error.

Regression: a JSON string as the body, invalid UTF-8, variables nested 100,000 deep and a NUL in
the platform path gave 500s; lone surrogates and a statement cut short gave `INTERNAL`.
"""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import Cast

DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    "body",
    [
        b'"hello"',
        b"1",
        b"[1, 2]",
        b"",
        b'{"query": "\xff\xfe"}',
        b'{"query": "{ viewer { name } }", "variables": {"a": ' + DEEP + b"}}",
        b'{"query": "query($n: String) { viewer { name } }", "variables": {"n": "\\ud800"}}',
        b'{"query": 5}',
        b'{"query": "{ viewer { name } }", "variables": "x"}',
        b"{not json",
    ],
)
async def test_a_malformed_graphql_body_is_a_400_with_a_json_error(
    http: httpx.AsyncClient, cast: Cast, body: bytes
) -> None:
    headers = {**cast.as_admin.headers, "content-type": "application/json"}
    response = await http.post("/graphql", content=body, headers=headers)
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] in ("MALFORMED_REQUEST", "BAD_REQUEST")


async def test_another_content_type_is_a_4xx_with_a_json_error(http: httpx.AsyncClient, cast: Cast) -> None:
    response = await http.post(
        "/graphql", content=b"{ viewer { name } }", headers={**cast.as_admin.headers, "content-type": "text/plain"}
    )
    assert 400 <= response.status_code < 500
    assert response.json()["errors"][0]["message"]


@pytest.mark.parametrize("path", ["/webhooks/a%00b", "/webhooks/%ff%fe", "/webhooks/" + "x" * 5000, "/nowhere"])
async def test_odd_paths_are_a_404_with_a_json_body(http: httpx.AsyncClient, path: str) -> None:
    response = await http.post(path, content=b"{}", headers={"content-type": "application/json"})
    assert response.status_code == 404
    assert response.json()


async def test_a_wrong_method_is_a_405_with_a_json_body(http: httpx.AsyncClient) -> None:
    response = await http.put("/graphql", content=b"{}")
    assert response.status_code == 405
    assert response.json()["code"] == "HTTP_405"


async def test_a_lone_surrogate_written_in_the_document_does_not_parse(cast: Cast) -> None:
    document = '{ subjects(first: 1, filter: {nameContains: "\\ud800"}) { totalCount } }'
    error = await cast.as_admin.error(document)
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ("{ viewer { name }", "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ subjects(first: 99999999999) { totalCount } }", "GRAPHQL_VALIDATION_FAILED"),
    ],
)
async def test_a_document_that_does_not_parse_or_fit_the_schema_carries_a_code(
    cast: Cast, document: str, code: str
) -> None:
    error = await cast.as_admin.error(document)
    assert error["extensions"]["code"] == code
