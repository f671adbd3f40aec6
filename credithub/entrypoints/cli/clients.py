"""`client add | list | revoke`: API clients and their tokens."""

from __future__ import annotations

import argparse
from typing import Any

from credithub.entrypoints.cli.common import run_with_deps
from credithub.services import clients
from credithub.services.ports import Deps
from credithub.settings import Settings


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    client = commands.add_parser("client", help="manage API clients").add_subparsers(dest="action", required=True)
    client_add = client.add_parser("add", help="issue a client token; prints it as JSON")
    client_add.add_argument("name", help="who the client is, e.g. 'Risk dashboard'")
    client_add.add_argument("--role", required=True, help="platform | regulator | viewer | admin | subject")
    client_add.add_argument("--platform", help="the platform a `platform` client acts for")
    client_add.add_argument("--authority", help="the authority a `regulator` designates and decides for")
    client_add.add_argument(
        "--subject", help="the subject a `subject` client speaks for: its id (sub_…) or credit code"
    )
    client_add.add_argument("--purpose", help="why the client reads credit information, kept with each audited read")
    client_add.set_defaults(handler=cmd_client_add)
    client_list = client.add_parser("list", help="list clients (never their tokens)")
    client_list.add_argument("--all", action="store_true", help="revoked clients too")
    client_list.set_defaults(handler=cmd_client_list)
    client_revoke = client.add_parser("revoke", help="revoke a client's token")
    client_revoke.add_argument("id", type=int, help="the client's id (printed by `client add` and `client list`)")
    client_revoke.set_defaults(handler=cmd_client_revoke)


def cmd_client_add(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        issued = await clients.add_client(
            deps,
            args.name,
            args.role,
            platform=args.platform,
            authority=args.authority,
            subject=args.subject,
            purpose=args.purpose,
        )
        return {
            "id": issued.id,
            "name": issued.name,
            "role": issued.role.value,
            "platform": issued.platform,
            "authority": issued.authority,
            "subject_id": f"sub_{issued.subject_id}" if issued.subject_id is not None else None,
            "token": issued.token,
        }

    run_with_deps(settings, action)


def cmd_client_list(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        listed = await clients.list_clients(deps, include_revoked=args.all)
        return {
            "clients": [
                {
                    "id": c.id,
                    "name": c.name,
                    "role": c.role.value,
                    "platform": c.platform,
                    "authority": c.authority,
                    "subject_id": f"sub_{c.subject_id}" if c.subject_id is not None else None,
                    "created_at": c.created_at.isoformat(),
                    "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
                }
                for c in listed
            ]
        }

    run_with_deps(settings, action)


def cmd_client_revoke(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        await clients.revoke(deps, args.id)
        return {"revoked": args.id}

    run_with_deps(settings, action)
