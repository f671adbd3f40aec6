"""`platform add | list | set | codes | secret rotate | secret retire`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from credithub.domain.errors import InvalidValue
from credithub.entrypoints.cli.common import run_with_deps
from credithub.services import clients
from credithub.services.ports import Deps
from credithub.settings import Settings


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    platform = commands.add_parser("platform", help="manage platforms").add_subparsers(dest="action", required=True)
    platform_add = platform.add_parser("add", help="register a platform; prints its token and secrets as JSON")
    platform_add.add_argument("code", help="short code, e.g. shopmall")
    platform_add.add_argument("--name", required=True, help="the platform's name, e.g. ShopMall")
    platform_add.add_argument("--push-url", help="where the hub pushes credit status changes")
    platform_add.add_argument(
        "--family", default="standard", help="adapter family: standard (default), marketplace or livestream"
    )
    platform_add.add_argument("--api-url", help="base URL of the platform's API, to pull its feeds from")
    platform_add.add_argument("--api-key", help="the key the platform issued the hub for its API")
    platform_add.set_defaults(handler=cmd_platform_add)
    platform.add_parser("list", help="list platforms with their family and URLs").set_defaults(
        handler=cmd_platform_list
    )
    platform_set = platform.add_parser("set", help="change where the hub reaches a platform")
    platform_set.add_argument("code", help="the platform's code")
    platform_set.add_argument("--api-url", help="new base URL of the platform's API")
    platform_set.add_argument("--no-api-url", action="store_true", help="stop pulling from the platform")
    platform_set.add_argument("--push-url", help="new URL the hub pushes to")
    platform_set.add_argument("--no-push-url", action="store_true", help="forget the push URL")
    platform_set.add_argument("--api-key", help="replace the key for the platform's API")
    platform_set.set_defaults(handler=cmd_platform_set)
    platform_codes = platform.add_parser("codes", help="show (or --load) a platform's penalty-code mapping")
    platform_codes.add_argument("code", help="the platform's code")
    platform_codes.add_argument("--load", type=Path, help="replace the mapping with a JSON file shaped like codes.json")
    platform_codes.set_defaults(handler=cmd_platform_codes)
    secret = platform.add_parser("secret", help="rotate a platform's webhook secret").add_subparsers(
        dest="secret_action", required=True
    )
    rotate = secret.add_parser("rotate", help="add a new webhook secret; old ones keep working until retired")
    rotate.add_argument("code", help="the platform's code")
    rotate.set_defaults(handler=cmd_secret_rotate)
    retire = secret.add_parser("retire", help="retire all but the newest webhook secrets")
    retire.add_argument("code", help="the platform's code")
    retire.add_argument("--keep", type=int, default=1, help="how many of the newest secrets stay active (default 1)")
    retire.set_defaults(handler=cmd_secret_retire)


def _platform_json(registered: clients.RegisteredPlatform) -> dict[str, Any]:
    return {
        "code": registered.code,
        "name": registered.name,
        "family": registered.family,
        "push_url": registered.push_url,
        "api_url": registered.api_url,
        "client_id": registered.client.id,
        "token": registered.client.token,
        "webhook_secret": registered.webhook_secret,
        "outbound_secret": registered.outbound_secret,
        "codes_mapped": registered.codes,
    }


def cmd_platform_add(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        registered = await clients.add_platform(
            deps,
            args.code,
            args.name,
            push_url=args.push_url,
            family=args.family,
            api_url=args.api_url,
            api_key=args.api_key,
        )
        return _platform_json(registered)

    run_with_deps(settings, action)


def cmd_platform_list(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        return {
            "platforms": [
                {"code": p.code, "name": p.name, "family": p.family, "api_url": p.api_url, "push_url": p.push_url}
                for p in await clients.list_platforms(deps)
            ]
        }

    run_with_deps(settings, action)


def cmd_platform_set(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        clear = frozenset(name for name in ("api_url", "push_url") if getattr(args, f"no_{name}"))
        platform = await clients.set_endpoints(
            deps, args.code, api_url=args.api_url, push_url=args.push_url, api_key=args.api_key, clear=clear
        )
        return {
            "code": platform.code,
            "family": platform.family,
            "api_url": platform.api_url,
            "push_url": platform.push_url,
        }

    run_with_deps(settings, action)


def cmd_platform_codes(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        if args.load is not None:
            try:
                raw = json.loads(args.load.read_text())
            except (OSError, json.JSONDecodeError) as exc:
                raise InvalidValue(f"cannot read {args.load}: {exc}", field="load") from exc
            await clients.replace_codes(deps, args.code, raw)
        mappings = await clients.list_codes(deps, args.code)
        return {
            "platform": args.code,
            "codes": {
                mapping.code: {
                    "category": mapping.category.value,
                    "severity": mapping.severity.value,
                    "description": mapping.description,
                }
                for mapping in mappings
            },
        }

    run_with_deps(settings, action)


def cmd_secret_rotate(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        secret = await clients.rotate_webhook_secret(deps, args.code)
        return {"platform": args.code, "webhook_secret": secret}

    run_with_deps(settings, action)


def cmd_secret_retire(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        retired = await clients.retire_webhook_secrets(deps, args.code, keep=args.keep)
        return {"platform": args.code, "retired": len(retired), "kept": args.keep}

    run_with_deps(settings, action)
