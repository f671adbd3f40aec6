"""A small GraphQL-over-HTTP client so tests read as documents and answers."""

from __future__ import annotations

from typing import Any

import httpx


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient, token: str | None) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def post(self, document: str, **variables: Any) -> httpx.Response:
        return await self.http.post("/graphql", json={"query": document, "variables": variables}, headers=self.headers)

    async def execute(self, document: str, **variables: Any) -> dict[str, Any]:
        """The whole answer: data and errors."""
        response = await self.post(document, **variables)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def data(self, document: str, **variables: Any) -> dict[str, Any]:
        """The data of an answer that must carry no errors."""
        answer = await self.execute(document, **variables)
        assert "errors" not in answer, answer["errors"]
        data: dict[str, Any] = answer["data"]
        return data

    async def error(self, document: str, **variables: Any) -> dict[str, Any]:
        """The single error of an answer that must fail."""
        answer = await self.execute(document, **variables)
        assert len(answer.get("errors", [])) == 1, answer
        error: dict[str, Any] = answer["errors"][0]
        return error
