"""A minimal keep-alive HTTP/1.1 client for benchmarks: httpx costs ~2 ms a request on our
machine (healthz: 2.9 ms through httpx, 0.66 ms through http.client), which would drown what
we measure. Enough for POSTing JSON to our own server: Content-Length bodies only."""

from __future__ import annotations

import asyncio


class KeepAlive:
    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.headers = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> KeepAlive:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def _reconnect(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def __aexit__(self, *exc: object) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()

    async def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> bytes:
        """POST and return the body of a 2xx answer (anything else raises)."""
        status, _, answer = await self.post_answer(path, body, headers)
        if not 200 <= status < 300:
            raise RuntimeError(f"unexpected response: {status} {answer[:200]!r}")
        return answer

    async def post_answer(
        self, path: str, body: bytes, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """POST and return the status, the headers (names in lower case) and the body, whatever the status."""
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{self.headers}{extra}\r\n".encode()
            + body
        )
        status = await self._send(request)
        if status == b"":  # the server closed the idle connection (keep-alive timeout): once more, anew
            await self._reconnect()
            status = await self._send(request)
        assert self.reader is not None
        if not status.startswith(b"HTTP/1.1 "):
            raise RuntimeError(f"unexpected response: {status!r}")
        answer_headers = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            answer_headers[name.strip().lower()] = value.strip()
        if "content-length" not in answer_headers:
            raise RuntimeError("the benchmark client reads Content-Length bodies only")
        return (
            int(status.split()[1]),
            answer_headers,
            await self.reader.readexactly(int(answer_headers["content-length"])),
        )

    async def _send(self, request: bytes) -> bytes:
        """Send the request; the answer's status line, or b"" when the connection was closed."""
        assert self.reader is not None
        assert self.writer is not None
        try:
            self.writer.write(request)
            return await self.reader.readline()
        except ConnectionError:
            return b""
