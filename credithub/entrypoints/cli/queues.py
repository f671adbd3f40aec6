"""The background work's queues: `inbox` (events received by webhook), `outbox` (pushes to
platforms) and `parked` (what the work set aside with its error)."""

from __future__ import annotations

import argparse
from typing import Any

from credithub.entrypoints import logs
from credithub.entrypoints.cli.common import run_with_deps
from credithub.services.ports import Deps
from credithub.settings import Settings


def add_inbox_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    inbox = commands.add_parser("inbox", help="platform events received by webhook").add_subparsers(
        dest="inbox_action", required=True
    )
    dead = inbox.add_parser("dead", help="list events parked after failing, with their errors")
    dead.add_argument("--platform", help="only this platform's events")
    dead.set_defaults(handler=cmd_inbox_dead)
    requeue = inbox.add_parser("requeue", help="give parked events another go")
    requeue.add_argument("--platform", help="only this platform's events")
    requeue.set_defaults(handler=cmd_inbox_requeue)


def add_outbox_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    outbox_cmd = commands.add_parser("outbox", help="pushes to platforms").add_subparsers(
        dest="outbox_action", required=True
    )
    outbox_cmd.add_parser("status", help="messages per platform and state").set_defaults(handler=cmd_outbox)
    outbox_list = outbox_cmd.add_parser("list", help="messages in one state, newest first")
    outbox_list.add_argument(
        "--status",
        required=True,
        type=str.upper,
        choices=["PENDING", "DELIVERING", "DELIVERED", "DEAD"],
        help="PENDING, DELIVERING, DELIVERED or DEAD",
    )
    outbox_list.add_argument("--platform", help="only this platform's messages")
    outbox_list.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    outbox_list.set_defaults(handler=cmd_outbox)
    outbox_dead = outbox_cmd.add_parser("dead", help="list messages parked after their last attempt")
    outbox_dead.add_argument("--platform", help="only this platform's messages")
    outbox_dead.set_defaults(handler=cmd_outbox)
    outbox_replay = outbox_cmd.add_parser("replay", help="give dead messages a new round of attempts")
    outbox_replay.add_argument("--platform", help="only this platform's messages")
    outbox_replay.add_argument("--id", type=int, action="append", help="only this message (repeatable)")
    outbox_replay.set_defaults(handler=cmd_outbox)
    outbox_attempts = outbox_cmd.add_parser("attempts", help="every attempt at one message")
    outbox_attempts.add_argument("message_id", type=int, help="the message's id (from outbox list or outbox dead)")
    outbox_attempts.set_defaults(handler=cmd_outbox)
    outbox_cmd.add_parser("deliver", help="deliver due messages now (serve does it on its own)").set_defaults(
        handler=cmd_outbox
    )


def add_parked_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parked_cmd = commands.add_parser(
        "parked", help="what the background work set aside with its error (statuses, inbox, outbox)"
    ).add_subparsers(dest="parked_action", required=True)
    parked_list = parked_cmd.add_parser("list", help="counts per queue and the most recently parked items")
    parked_list.add_argument("--queue", choices=["statuses", "inbox", "outbox"], help="only this queue")
    parked_list.add_argument("--limit", type=int, default=100, help="how many to show (default 100)")
    parked_list.set_defaults(handler=cmd_parked)
    parked_retry = parked_cmd.add_parser(
        "retry",
        help="recompute parked statuses once their cause is fixed (inbox requeue / outbox replay for the others)",
    )
    parked_retry.add_argument("--subject", type=int, action="append", help="only this subject id (repeatable)")
    parked_retry.set_defaults(handler=cmd_parked)


def cmd_inbox_dead(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        from credithub.services import inbox

        dead = await inbox.list_dead(deps, args.platform)
        return {
            "dead": [
                {
                    "id": event.id,
                    "platform": event.platform,
                    "event_id": event.event_id,
                    "type": event.event_type,
                    "attempts": event.attempts,
                    "error": event.last_error,
                    "received_at": event.received_at.isoformat(),
                }
                for event in dead
            ]
        }

    run_with_deps(settings, action)


def cmd_inbox_requeue(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        from credithub.services import inbox

        return {"requeued": len(await inbox.requeue_dead(deps, args.platform))}

    run_with_deps(settings, action)


def cmd_outbox(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        from credithub.services import outbox

        match args.outbox_action:
            case "status":
                counts = await outbox.count_by_status(deps)
                return {"messages": [{"platform": p, "status": s, "count": n} for p, s, n in counts]}
            case "dead":
                dead = await outbox.list_dead(deps, args.platform)
                return {
                    "dead": [
                        {
                            "id": m.id,
                            "platform": m.platform,
                            "subject_id": f"sub_{m.subject_id}",
                            "created_at": m.created_at.isoformat(),
                            "attempts": m.attempts,
                            "error": m.last_error,
                        }
                        for m in dead
                    ]
                }
            case "list":
                listed = await outbox.list_messages(deps, args.status, args.platform, args.limit)
                return {
                    "messages": [
                        {
                            "id": m.id,
                            "platform": m.platform,
                            "subject_id": f"sub_{m.subject_id}",
                            "status": m.status,
                            "created_at": m.created_at.isoformat(),
                            "attempts": m.attempts,
                            "next_attempt_at": m.next_attempt_at.isoformat(),
                            "delivered_at": m.delivered_at.isoformat() if m.delivered_at else None,
                            "error": m.last_error,
                        }
                        for m in listed
                    ]
                }
            case "replay":
                if args.id:
                    await outbox.check_messages_exist(deps, args.id)
                replayed = await outbox.replay(deps, platform=args.platform, ids=args.id or None)
                return {"replayed": replayed}
            case "attempts":
                attempts = await outbox.list_attempts(deps, args.message_id)
                return {
                    "message_id": args.message_id,
                    "attempts": [
                        {
                            "attempt": a.attempt,
                            "started_at": a.started_at.isoformat(),
                            "duration_ms": a.duration_ms,
                            "outcome": a.outcome,
                            "http_status": a.http_status,
                            "error": a.error,
                        }
                        for a in attempts
                    ],
                }
            case "deliver":
                delivered = 0
                while claimed := await outbox.dispatch_due(deps):
                    delivered += claimed
                    logs.show_progress(f"tried {delivered:,} messages")
                logs.end_progress()
                return {"tried": delivered}
        raise AssertionError(args.outbox_action)

    run_with_deps(settings, action)


def cmd_parked(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        from credithub.domain.parked import ParkedQueue
        from credithub.services import parked, statuses

        if args.parked_action == "retry":
            return {"requeued": [f"sub_{subject_id}" for subject_id in await statuses.retry_parked(deps, args.subject)]}
        counts = await parked.count_parked(deps)
        queue = ParkedQueue(args.queue.upper()) if args.queue else None
        page = await parked.list_parked(deps, queue=queue, first=args.limit)
        return {
            "counts": {name: n for name, n in counts.as_dict().items() if name != "live_feed"},
            "parked": [
                {
                    "queue": item.queue.value,
                    "id": f"sub_{item.id}" if item.queue is ParkedQueue.STATUSES else item.id,
                    "subject_id": f"sub_{item.subject_id}" if item.subject_id is not None else None,
                    "platform": item.platform,
                    "parked_at": item.parked_at.isoformat(),
                    "attempts": item.attempts,
                    "error": item.error,
                }
                for item in page.items
            ],
        }

    run_with_deps(settings, action)
