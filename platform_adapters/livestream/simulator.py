"""A LiveWave-style live-streaming platform: anchors, MCN contracts and violations behind
opaque cursors, every page signed with the platform's secret, and a notify endpoint that checks
the hub's signature."""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from platform_adapters.livestream import signing
from platform_adapters.livestream.client import NOTIFY_PATH, PATHS
from platform_adapters.simulation import Faults, PushLog


def _opaque(offset: int) -> str:
    return base64.urlsafe_b64encode(f"lw:{offset}:{offset * 7919 % 10007}".encode()).decode()


def _offset(cursor: str | None) -> int | None:
    if cursor is None:
        return 0
    try:
        kind, offset, check = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
    except ValueError:
        return None
    if kind != "lw" or int(check) != int(offset) * 7919 % 10007:
        return None
    return int(offset)


@dataclass
class LivestreamSimulator:
    api_key: str
    signing_secret: str  # what the platform signs pages with (the hub knows it as a webhook secret)
    outbound_secret: str  # what the hub signs pushes with
    streams: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {name: [] for name in PATHS})
    faults: Faults = field(default_factory=Faults)
    pushes: PushLog = field(default_factory=PushLog)

    def _append(self, stream: str, item: dict[str, Any]) -> None:
        """Feeds are change logs: a new version of an item is appended, never edited in place."""
        self.streams[stream].append(item)

    def put_shop(self, shop_id: str, uscc: str, name: str, *, state: str = "OPEN", ver: int = 1) -> None:
        item = {"shop_id": shop_id, "shop_name": name, "uscc": uscc, "state": state}
        self._append("shops", item | {"open_date": "2024-05-01", "ver": ver})

    def put_anchor(self, uid: str, cert_no: str, nickname: str, *, state: str = "NORMAL", ver: int = 1) -> None:
        item = {"uid": uid, "nickname": nickname, "cert_no": cert_no, "state": state}
        self._append("anchors", item | {"reg_time": "2025-03-02 10:00:00", "ver": ver})

    def put_contract(self, contract_id: str, org: dict[str, str], uid: str, cert_no: str, *, sign_date: str) -> None:
        anchor = {"uid": uid, "cert_no": cert_no}
        item = {"contract_id": contract_id, "org": org, "anchor": anchor, "sign_date": sign_date, "end_date": None}
        self._append("contracts", item | {"terminated_time": None, "ver": 1})

    def put_violation(
        self,
        case_no: str,
        uid: str,
        cert_no: str,
        vio_type: str,
        *,
        punished: dt.datetime,
        state: str = "VALID",
        ver: int = 1,
    ) -> None:
        item = {"case_no": case_no, "uid": uid, "cert_no": cert_no, "nickname": uid, "vio_type": vio_type}
        detail = {"detail": f"违规 {case_no}", "rule": "《LiveWave 直播电商行为规范》第十二条"}
        self._append(
            "violations", item | detail | {"punish_time": int(punished.timestamp()), "state": state, "ver": ver}
        )

    @property
    def app(self) -> Starlette:
        routes = [Route(path, self._feed) for path in PATHS.values()]
        return Starlette(routes=[*routes, Route(NOTIFY_PATH, self._notify, methods=["POST"]), self.pushes.route()])

    async def _feed(self, request: Request) -> Response:
        if (fault := await self.faults.apply(request)) is not None:
            return fault
        if request.headers.get("authorization") != f"LW-Key {self.api_key}":
            return JSONResponse({"result": "error", "message": "bad key"}, status_code=401)
        stream = next(name for name, path in PATHS.items() if path == request.url.path)
        offset = _offset(request.query_params.get("cursor"))
        if offset is None:
            return JSONResponse({"result": "error", "message": "bad cursor"}, status_code=400)
        count = min(int(request.query_params.get("count", "50")), 200)
        rows = self.streams[stream]
        page = rows[offset : offset + count]
        end = offset + len(page)
        body = orjson.dumps({"result": "ok", "items": page, "next_cursor": _opaque(end), "has_more": end < len(rows)})
        timestamp = str(int(time.time()))
        headers = {
            "x-lw-timestamp": timestamp,
            "x-lw-signature": signing.compute_signature(self.signing_secret, timestamp.encode(), body),
        }
        return Response(body, media_type="application/json", headers=headers)

    async def _notify(self, request: Request) -> Response:
        if (fault := await self.faults.apply(request)) is not None:
            return fault
        body = await request.body()
        timestamp, nonce = request.headers.get("x-lw-timestamp", ""), request.headers.get("x-lw-nonce", "")
        expected = signing.compute_signature(self.outbound_secret, timestamp.encode(), nonce.encode(), body)
        if not hmac.compare_digest(expected, request.headers.get("x-lw-signature", "")):
            self.pushes.refused += 1
            return JSONResponse({"result": "error", "message": "bad signature"}, status_code=401)
        notice = orjson.loads(body)
        self.pushes.keep(notice["msg_id"], notice)
        return JSONResponse({"result": "ok"})
