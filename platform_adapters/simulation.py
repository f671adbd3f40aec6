"""What every platform simulator shares: scripted faults and a log of what the hub pushed.

Simulators are small Starlette apps that stand in for a platform's API in tests and benchmarks.
They are served for real (uvicorn on loopback) or through httpx's ASGI transport, and a test
scripts their failures — `sim.faults.fail_next(503)`, `throttle_next(retry_after=1)`,
`stall_next(seconds=3)` — instead of patching any client.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

STATS_PATH = "/_simulator/pushes"


@dataclass
class Fault:
    status: int | None = None  # answer with this status instead of the real answer
    retry_after: str | None = None
    stall_seconds: float = 0.0  # wait this long first (longer than the client's timeout: a timeout)
    garbled: bool = False  # answer 200 with a body that is not JSON
    path_prefix: str = ""
    body: str | None = None  # answer with this text instead of a JSON error


@dataclass
class Faults:
    """Faults applied to the next matching requests, in the order they were scripted."""

    pending: deque[Fault] = field(default_factory=deque)

    def fail_next(self, status: int = 503, *, times: int = 1, path_prefix: str = "", body: str | None = None) -> None:
        self.pending.extend(Fault(status=status, path_prefix=path_prefix, body=body) for _ in range(times))

    def throttle_next(self, retry_after: int | str = 1, *, times: int = 1, path_prefix: str = "") -> None:
        self.pending.extend(
            Fault(status=429, retry_after=str(retry_after), path_prefix=path_prefix) for _ in range(times)
        )

    def stall_next(self, seconds: float, *, times: int = 1, path_prefix: str = "") -> None:
        self.pending.extend(Fault(stall_seconds=seconds, path_prefix=path_prefix) for _ in range(times))

    def garble_next(self, *, times: int = 1, path_prefix: str = "") -> None:
        self.pending.extend(Fault(garbled=True, path_prefix=path_prefix) for _ in range(times))

    async def apply(self, request: Request) -> Response | None:
        """The scripted answer for this request, if a fault is due for it."""
        for fault in list(self.pending):
            if request.url.path.startswith(fault.path_prefix):
                self.pending.remove(fault)
                if fault.stall_seconds:
                    await asyncio.sleep(fault.stall_seconds)
                if fault.garbled:
                    return Response("<html>502 Bad Gateway</html>", media_type="text/html")
                if fault.status is None:
                    return None
                headers = {"retry-after": fault.retry_after} if fault.retry_after else {}
                if fault.body is not None:
                    return Response(fault.body, status_code=fault.status, headers=headers, media_type="text/plain")
                return JSONResponse({"error": "scripted fault"}, status_code=fault.status, headers=headers)
        return None


@dataclass
class PushLog:
    """Pushes the hub made: every receipt, and the messages kept once per idempotency key."""

    receipts: list[str] = field(default_factory=list)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    refused: int = 0

    def keep(self, key: str, message: dict[str, Any]) -> bool:
        """Keep a verified push; False when the key was seen before (a repeat, dropped)."""
        self.receipts.append(key)
        if key in self.messages:
            return False
        self.messages[key] = message
        return True

    def latest(self) -> list[dict[str, Any]]:
        return list(self.messages.values())

    def route(self) -> Route:
        """What a simulator in another process was pushed (for benchmarks): counts only."""

        async def stats(_: Request) -> Response:
            return JSONResponse({"receipts": len(self.receipts), "kept": len(self.messages), "refused": self.refused})

        return Route(STATS_PATH, stats)
