"""The local loop, like Stripe's CLI: a platform simulator as a process (`simulate`), a signed
sample event sent to the hub (`trigger`), and the hub's pushes received, verified, shown and
forwarded to your own endpoint (`listen`). Each prints one JSON line per thing that happened on
stdout, so it can be read by eye or piped into `jq`."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import secrets
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import httpx
import uvicorn
from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from credithub import bootstrap
from credithub.domain import samples
from credithub.domain.errors import InvalidValue, UnknownPlatform
from credithub.domain.events import EventType
from credithub.domain.platforms import PlatformLink
from credithub.services import clients
from credithub.services.ports import Deps
from credithub.settings import Settings
from platform_adapters.livestream.simulator import LivestreamSimulator
from platform_adapters.marketplace.simulator import MarketplaceSimulator
from platform_adapters.simulation import PushLog
from platform_adapters.standard.simulator import PUSH_PATH, StandardSimulator

T = TypeVar("T")
FAMILIES: Final = ("standard", "marketplace", "livestream")
FORWARD_TIMEOUT_SECONDS: Final = 10.0
LISTEN_PATH: Final = "/"


def emit(line: dict[str, Any]) -> None:
    """One JSON object per line on stdout, flushed at once (a pipe sees it as it happens)."""
    print(json.dumps(line, ensure_ascii=False), flush=True)


def parse_event_type(raw: str) -> EventType:
    try:
        return EventType(raw)
    except ValueError:
        allowed = ", ".join(event_type.value for event_type in EventType)
        raise InvalidValue(f"EVENT must be one of {allowed}, got {raw!r}", field="event") from None


def parse_http_url(raw: str, name: str) -> str:
    url = httpx.URL(raw) if "://" in raw else None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise InvalidValue(f"{name} must be an http(s) URL such as http://127.0.0.1:8000, got {raw!r}", field=name)
    return str(url).rstrip("/")


class ShownPushes(PushLog):
    """A simulator's push log that also shows each verified push as it arrives."""

    def keep(self, key: str, message: dict[str, Any]) -> bool:
        kept = super().keep(key, message)
        emit({"event": "push received", "id": key, "repeat": not kept, "body": message})
        return kept


@dataclass(frozen=True, slots=True)
class Simulation:
    app: Starlette
    api_url: str
    push_url: str | None


def build_simulator(family: str, link: PlatformLink, base_url: str, now: dt.datetime, events: int) -> Simulation:
    """The family's simulator, holding `events` sample items, verifying pushes with the link's secrets."""
    rng = random.Random(link.code)  # noqa: S311 - sample data: the same platform code serves the same subjects
    api_key, outbound = link.api_key or "", link.outbound_secret or ""
    match family:
        case "standard":
            standard = StandardSimulator(api_key=api_key, outbound_secret=outbound, pushes=ShownPushes())
            for n in range(events):
                event_type = list(EventType)[n % 3]  # reported, revoked, account
                body = samples.compute_sample_event(event_type, now=now, rng=rng, violation_id=f"SIM-{n - n % 3}")
                standard.add_event(f"evt_{n:06d}", body)
            return Simulation(standard.app, base_url, base_url + PUSH_PATH)
        case "marketplace":
            market = MarketplaceSimulator(api_key=api_key, outbound_secret=outbound, pushes=ShownPushes())
            for n in range(events):
                market.put_shop(f"SIM-{n:04d}", samples.compute_credit_code(rng), rng.choice(samples.MERCHANT_NAMES))
            return Simulation(market.app, base_url, None)
        case "livestream":
            signing = link.webhook_secrets[0] if link.webhook_secrets else ""
            live = LivestreamSimulator(
                api_key=api_key, signing_secret=signing, outbound_secret=outbound, pushes=ShownPushes()
            )
            for n in range(events):
                live.put_shop(f"lw_shop_{n:04d}", samples.compute_credit_code(rng), rng.choice(samples.MERCHANT_NAMES))
                live.put_anchor(f"lw_{n:04d}", samples.compute_resident_id(rng), rng.choice(samples.ANCHOR_NAMES))
            return Simulation(live.app, base_url, None)
    raise InvalidValue(f"FAMILY must be one of {', '.join(FAMILIES)}, got {family!r}", field="family")


async def point_platform_at(deps: Deps, code: str, family: str, api_url: str, push_url: str | None) -> PlatformLink:
    """Register the platform (or re-point an existing one of the same family) at a simulator,
    with a fresh API key; its link, secrets included."""
    existing = await clients.get_platform(deps, code)
    api_key = f"sim_{secrets.token_urlsafe(18)}"
    if existing is None:
        await clients.add_platform(
            deps, code, f"{code} (simulator)", family=family, api_url=api_url, push_url=push_url, api_key=api_key
        )
    elif existing.family != family:
        raise InvalidValue(f"platform {code} is of the {existing.family} family, not {family}", field="platform")
    else:
        clear = frozenset() if push_url is not None else frozenset({"push_url"})
        await clients.set_endpoints(deps, code, api_url=api_url, push_url=push_url, api_key=api_key, clear=clear)
    link = await clients.get_link(deps, code)
    assert link is not None
    return link


async def webhook_secret(deps: Deps, platform: str) -> str:
    found = await clients.list_webhook_secrets(deps, platform)
    if not found:
        raise InvalidValue(f"platform {platform} has no active webhook secret", field="platform")
    return found[0]


def send_sample(
    hub: str, platform: str, secret: str, event_type: EventType, *, credit_code: str | None, violation_id: str | None
) -> tuple[dict[str, Any], httpx.Response]:
    """Sign a sample event as the platform would and POST it; the event and the hub's answer."""
    now = dt.datetime.now(dt.UTC)
    event = samples.compute_sample_event(
        event_type,
        now=now,
        rng=random.SystemRandom(),
        credit_code=credit_code,
        violation_id=violation_id,
    )
    body = json.dumps(event, ensure_ascii=False)
    event_id = f"msg_{secrets.token_hex(12)}"
    headers = {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, now, body),
        "content-type": "application/json",
    }
    response = httpx.post(f"{hub}/webhooks/{platform}", content=body.encode(), headers=headers, timeout=30)
    return event, response


def build_listener(secret: str, forward_to: str | None) -> Starlette:
    """Receives the hub's pushes: verifies each with the outbound secret, shows it, and forwards
    it unchanged (body and Standard Webhooks headers) to `forward_to`, answering the hub with
    what that endpoint answered (502 when it cannot be reached, so the hub tries again)."""
    webhook = Webhook(secret)

    async def receive(request: Request) -> Response:
        body = await request.body()
        headers = {
            name: request.headers.get(name, "") for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
        }
        try:
            webhook.verify(body, headers)
        except (WebhookVerificationError, ValueError) as exc:  # ValueError: an unreadable header or body
            emit({"event": "push refused", "id": headers["webhook-id"], "verified": False, "error": str(exc)})
            return JSONResponse({"error": "signature does not verify"}, status_code=401)
        message = json.loads(body)
        emit({"event": "push received", "id": headers["webhook-id"], "verified": True, "body": message})
        if forward_to is None:
            return Response(status_code=204)
        try:
            async with httpx.AsyncClient(timeout=FORWARD_TIMEOUT_SECONDS) as http:
                forwarded = await http.post(
                    forward_to, content=body, headers={**headers, "content-type": "application/json"}
                )
        except httpx.HTTPError as exc:
            emit({"event": "forward failed", "id": headers["webhook-id"], "to": forward_to, "error": str(exc)})
            return JSONResponse({"error": f"could not forward to {forward_to}"}, status_code=502)
        emit({"event": "forwarded", "id": headers["webhook-id"], "to": forward_to, "status": forwarded.status_code})
        return Response(
            forwarded.content, status_code=forwarded.status_code, media_type=forwarded.headers.get("content-type")
        )

    return Starlette(routes=[Route(LISTEN_PATH, receive, methods=["POST"])])


def stderr_note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ---- the commands ---------------------------------------------------------------------------


async def _with_deps(settings: Settings, action: Callable[[Deps], Awaitable[T]]) -> T:
    async with bootstrap.open_deps(settings) as deps:
        return await action(deps)


def _serve(app: Starlette, host: str, port: int, settings: Settings) -> None:
    # log_config=None: the CLI's JSON logging stays in charge (stderr); stdout carries our lines.
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower(), access_log=False, log_config=None)


def cmd_simulate(args: argparse.Namespace, settings: Settings) -> None:
    """A platform of FAMILY on 127.0.0.1:PORT, registered with the hub as --platform so the hub
    pulls its feed and pushes to it; shows every push it receives."""
    family = args.family
    if family not in FAMILIES:
        raise InvalidValue(f"FAMILY must be one of {', '.join(FAMILIES)}, got {family!r}", field="family")
    base = f"http://{args.host}:{args.port}"
    push_url = base + PUSH_PATH if family == "standard" else None
    link = asyncio.run(
        _with_deps(settings, lambda deps: point_platform_at(deps, args.platform, family, base, push_url))
    )
    simulation = build_simulator(family, link, base, dt.datetime.now(dt.UTC), args.events)
    emit({"event": "simulating", "platform": link.code, "family": family, "api_url": base, "push_url": push_url})
    stderr_note(
        f"{family} simulator for platform {link.code} at {base}; the hub pulls it and pushes to it. Ctrl-C stops."
    )
    _serve(simulation.app, args.host, args.port, settings)


def cmd_trigger(args: argparse.Namespace, settings: Settings) -> None:
    """Sign a sample EVENT as --platform and send it to the hub; show the event and the answer."""
    event_type = parse_event_type(args.event)
    hub = parse_http_url(args.hub, "hub")
    secret = args.secret or asyncio.run(_with_deps(settings, lambda deps: webhook_secret(deps, args.platform)))
    event, response = send_sample(
        hub, args.platform, secret, event_type, credit_code=args.credit_code, violation_id=args.violation_id
    )
    try:
        answer: Any = response.json()
    except ValueError:
        answer = response.text
    emit({"event": "sent", "type": event_type.value, "status": response.status_code, "answer": answer, "body": event})
    if not response.is_success:
        code = answer.get("code") if isinstance(answer, dict) else None
        raise InvalidValue(f"the hub refused the event: {response.status_code} {code or answer}", field="event")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def cmd_listen(args: argparse.Namespace, settings: Settings) -> None:
    """Receive the hub's pushes on 127.0.0.1:PORT (as --platform's push URL, put back on exit),
    verify and show each, and forward it to --forward-to."""
    forward_to = parse_http_url(args.forward_to, "forward-to") if args.forward_to else None
    listen_url = f"http://{args.host}:{args.port}{LISTEN_PATH}"
    previous: list[str | None] = []

    async def take_over(deps: Deps) -> str:
        link = await clients.get_link(deps, args.platform)
        if link is None:
            raise UnknownPlatform(args.platform)
        if link.family != "standard" or not link.outbound_secret:
            raise InvalidValue(
                f"platform {args.platform} is not a standard platform: its pushes are not Standard Webhooks"
            )
        previous.append(link.push_url)
        await clients.set_endpoints(deps, args.platform, push_url=listen_url)
        return link.outbound_secret

    async def give_back(deps: Deps) -> None:
        clear = frozenset() if previous[0] else frozenset({"push_url"})
        await clients.set_endpoints(deps, args.platform, push_url=previous[0], clear=clear)

    secret = args.secret if args.secret else asyncio.run(_with_deps(settings, take_over))
    # uvicorn re-raises the signal that stopped it; SIGTERM's default would end the process before
    # the push URL is put back, so it stops like Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    emit({"event": "listening", "platform": args.platform, "url": listen_url, "forward_to": forward_to})
    stderr_note(f"pushes for {args.platform} now go to {listen_url}; Ctrl-C stops and puts the push URL back.")
    try:
        _serve(build_listener(secret, forward_to), args.host, args.port, settings)
    finally:
        if previous:
            asyncio.run(_with_deps(settings, give_back))
