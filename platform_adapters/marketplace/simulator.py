"""A ShopMall-style marketplace: shops and penalties behind page numbers and millisecond
modification times, an API key, and a notify endpoint that checks the hub's signature."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from platform_adapters.marketplace.client import NOTIFY_PATH, PATHS, compute_signature
from platform_adapters.simulation import Faults, PushLog


@dataclass
class MarketplaceSimulator:
    api_key: str
    outbound_secret: str
    shops: dict[str, dict[str, Any]] = field(default_factory=dict)
    penalties: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    pushes: PushLog = field(default_factory=PushLog)
    clock_ms: int = 1_767_225_600_000  # 2026-01-01T00:00:00Z; every change moves it on

    def _tick(self) -> int:
        self.clock_ms += 1
        return self.clock_ms

    def put_shop(self, shop_id: str, uscc: str, name: str, *, status: int = 1, opened_ms: int | None = None) -> None:
        self.shops[shop_id] = {
            "shop_id": shop_id,
            "shop_name": name,
            "uscc": uscc,
            "shop_status": status,
            "open_time_ms": opened_ms or self.clock_ms - 86_400_000 * 400,
            "gmt_modified_ms": self._tick(),
        }

    def put_penalty(self, penalty_id: str, shop_id: str, code: str, *, at_ms: int, state: str = "EFFECTIVE") -> None:
        shop = self.shops[shop_id]
        self.penalties[penalty_id] = {
            "penalty_id": penalty_id,
            "shop_id": shop_id,
            "shop_name": shop["shop_name"],
            "uscc": shop["uscc"],
            "penalty_code": code,
            "penalty_time_ms": at_ms,
            "reason_desc": f"处罚 {penalty_id}",
            "rule_name": "《ShopMall 市场管理与违规处理规范》",
            "rule_clause": "第二十条",
            "state": state,
            "revoke_reason": None,
            "gmt_modified_ms": self._tick(),
        }

    def revoke_penalty(self, penalty_id: str, reason: str) -> None:
        self.penalties[penalty_id] |= {"state": "REVOKED", "revoke_reason": reason, "gmt_modified_ms": self._tick()}

    @property
    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route(PATHS["shops"], self._shops),
                Route(PATHS["penalties"], self._penalties),
                Route(NOTIFY_PATH, self._notify, methods=["POST"]),
                self.pushes.route(),
            ]
        )

    async def _list(self, request: Request, rows: dict[str, dict[str, Any]], key: str) -> Response:
        if (fault := await self.faults.apply(request)) is not None:
            return fault
        if request.headers.get("x-api-key") != self.api_key:
            return JSONResponse({"code": 40100, "msg": "invalid api key"}, status_code=401)
        page_no = int(request.query_params.get("page_no", "1"))
        page_size = min(int(request.query_params.get("page_size", "20")), 100)
        since = int(request.query_params.get("modified_since_ms", "0"))
        matching = sorted(
            (row for row in rows.values() if row["gmt_modified_ms"] >= since),
            key=lambda row: (row["gmt_modified_ms"], row[key]),
        )
        page = matching[(page_no - 1) * page_size : page_no * page_size]
        data = {"page_no": page_no, "page_size": page_size, "total": len(matching), "list": page}
        return JSONResponse({"code": 0, "msg": "success", "data": data})

    async def _shops(self, request: Request) -> Response:
        return await self._list(request, self.shops, "shop_id")

    async def _penalties(self, request: Request) -> Response:
        return await self._list(request, self.penalties, "penalty_id")

    async def _notify(self, request: Request) -> Response:
        if (fault := await self.faults.apply(request)) is not None:
            return fault
        body = await request.body()
        expected = compute_signature(self.outbound_secret, request.headers.get("x-hub-timestamp", ""), body)
        if not hmac.compare_digest(expected, request.headers.get("x-hub-sign", "")):
            self.pushes.refused += 1
            return JSONResponse({"code": 40101, "msg": "bad signature"}, status_code=401)
        notice = orjson.loads(body)
        self.pushes.keep(notice["request_id"], notice)
        return JSONResponse({"code": 0, "msg": "success"})
