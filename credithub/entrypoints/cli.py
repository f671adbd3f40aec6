"""`python -m credithub <command>`: serve, migrate, register platforms and clients, export the schema.

Every command works against the same database as `serve` (DATABASE_URL, or the embedded
server in CREDITHUB_DATA_DIR), also while `serve` runs. Commands that create credentials
print exactly one JSON object on stdout; logs go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import getpass
import json
import logging
import os
import sys
import tomllib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NoReturn
from urllib.parse import urlsplit

import asyncpg
import httpx

from credithub import bootstrap
from credithub.domain.errors import DomainError, InvalidValue
from credithub.domain.events import EventType
from credithub.entrypoints import logs
from credithub.services import clients
from credithub.services.ports import Deps
from credithub.settings import Settings, SettingsError

if TYPE_CHECKING:  # imported by the commands that use them, so `--help` stays quick
    from credithub.db.sync import StreamState
    from credithub.services.audit_archive import ArchivedMonth
    from credithub.services.authority import ImportSummary
    from credithub.services.sync import Progress

SCHEMA_PATH: Final = Path(__file__).resolve().parents[2] / "schema.graphql"
PYPROJECT: Final = Path(__file__).resolve().parents[2] / "pyproject.toml"
EXIT_REFUSED: Final = 1  # bad input, an unknown id, a refusal by the hub
EXIT_USAGE: Final = 2  # argparse's own code for usage errors; also bad configuration
EXIT_UNREACHABLE: Final = 3  # the database (or, for trigger, the hub) cannot be reached
EXIT_KEY_MISMATCH: Final = 4  # CREDITHUB_SECRET_KEY is not the key the database was filled with
RECOMPUTE_CONCURRENCY: Final = 2  # recompute-statuses: batches in progress at once
# What connecting to a database that is not there raises (not a bug in a command: said in one line).
UNREACHABLE: Final = (
    OSError,
    TimeoutError,
    asyncpg.CannotConnectNowError,
    asyncpg.InvalidAuthorizationSpecificationError,
    asyncpg.InvalidCatalogNameError,
    asyncpg.ConnectionDoesNotExistError,
)

logger = logging.getLogger("credithub")


def _print_json(data: dict[str, Any]) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _run_with_deps(settings: Settings, action: Callable[[Deps], Awaitable[dict[str, Any] | None]]) -> None:
    async def run() -> None:
        async with bootstrap.open_deps(settings) as deps:
            result = await action(deps)
        if result is not None:
            _print_json(result)

    asyncio.run(run())


def cmd_serve(args: argparse.Namespace, settings: Settings) -> None:
    from credithub.entrypoints import supervisor

    settings = settings.with_changes(demo=args.demo)
    if args.role is not None:  # the command line wins over CREDITHUB_ROLE and CREDITHUB_WORKERS
        settings = settings.with_changes(role=args.role, workers=args.role != "api")
    role = settings.role
    if args.supervised_by is not None:
        _serve_supervised(args, settings)
        return
    count = args.workers or settings.serve_workers or (1 if role == "workers" else supervisor.available_cores())
    if count == 1:
        _serve_alone(args, settings)
        return
    try:
        children = supervisor.bind_children(role, count, args.host, args.port)
    except OSError as exc:
        _fail(EXIT_USAGE, f"error: cannot listen on {args.host}:{args.port}: {exc}")
    sys.exit(asyncio.run(supervisor.serve(settings, children)))


def _serve_alone(args: argparse.Namespace, settings: Settings) -> None:
    """One process does everything its role says, with no supervisor (as before --workers)."""
    import uvicorn

    from credithub.entrypoints.app import create_app

    app = create_app(settings)
    # Our RequestLog writes the access log (with SQL statement counts); uvicorn's would repeat it.
    # log_config=None: logging is ours (entrypoints.logs), one JSON line per event, uvicorn's included.
    uvicorn.run(
        app, host=args.host, port=args.port, log_level=settings.log_level.lower(), access_log=False, log_config=None
    )


def _serve_supervised(args: argparse.Namespace, settings: Settings) -> None:
    """A child of `serve --workers N`: the socket its supervisor bound (none for the background
    worker of role `all`), the database its supervisor prepared (DATABASE_URL)."""
    import socket

    import uvicorn
    from uvicorn.config import STARTUP_FAILURE

    from credithub.entrypoints import supervisor
    from credithub.entrypoints.app import create_app

    supervisor.die_with_parent(args.supervised_by)
    sockets = [socket.socket(fileno=args.listen_fd)] if args.listen_fd is not None else []
    config = uvicorn.Config(
        create_app(settings), log_level=settings.log_level.lower(), access_log=False, log_config=None
    )
    server = uvicorn.Server(config)
    server.run(sockets=sockets)
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> None:
    async def run() -> None:
        async with bootstrap.database(settings) as dsn:
            applied = await bootstrap.migrate(dsn)
        _print_json({"applied": applied})

    asyncio.run(run())


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

    _run_with_deps(settings, action)


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

    _run_with_deps(settings, action)


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

    _run_with_deps(settings, action)


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

    _run_with_deps(settings, action)


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

    _run_with_deps(settings, action)


def cmd_platform_list(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        return {
            "platforms": [
                {"code": p.code, "name": p.name, "family": p.family, "api_url": p.api_url, "push_url": p.push_url}
                for p in await clients.list_platforms(deps)
            ]
        }

    _run_with_deps(settings, action)


def cmd_client_revoke(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        await clients.revoke(deps, args.id)
        return {"revoked": args.id}

    _run_with_deps(settings, action)


def cmd_recompute_statuses(args: argparse.Namespace, settings: Settings) -> None:
    from credithub.entrypoints import recompute

    try:
        with recompute.Helpers(settings, args.processes - 1, args.concurrency) as helpers:  # forked here: no loop yet
            result = asyncio.run(recompute.recompute(settings, helpers, args.concurrency))
    except recompute.RecomputeFailed as exc:
        _fail(EXIT_REFUSED, f"error: {exc}")
    _print_json(result)


def cmd_secret_rotate(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        secret = await clients.rotate_webhook_secret(deps, args.code)
        return {"platform": args.code, "webhook_secret": secret}

    _run_with_deps(settings, action)


def cmd_secret_retire(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        retired = await clients.retire_webhook_secrets(deps, args.code, keep=args.keep)
        return {"platform": args.code, "retired": len(retired), "kept": args.keep}

    _run_with_deps(settings, action)


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

    _run_with_deps(settings, action)


def cmd_inbox_requeue(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        from credithub.services import inbox

        return {"requeued": len(await inbox.requeue_dead(deps, args.platform))}

    _run_with_deps(settings, action)


def _show_progress(progress: Progress) -> None:
    state = "caught up" if progress.caught_up else "held back: the inbox is full" if progress.held_back else "…"
    logs.show_progress(
        f"{progress.platform} {progress.stream}: {progress.pages:,} pages, {progress.items:,} items, "
        f"{progress.new_events:,} new, {progress.refused:,} refused {state}"
    )
    if progress.caught_up or progress.held_back:
        logs.end_progress()


def cmd_sync(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        from credithub.services import sync

        if args.status:
            states = await sync.list_streams(deps, args.platform)
            return {"streams": [_state_json(state) for state in states]}
        if args.rejects:
            rejects = await sync.list_rejects(deps, args.platform)
            return {
                "rejects": [
                    {
                        "platform": r.platform,
                        "stream": r.stream,
                        "item_id": r.item_id,
                        "error": r.error,
                        "at": r.at.isoformat(),
                    }
                    for r in rejects
                ]
            }
        if args.stream and not args.platform:
            raise InvalidValue("--stream needs --platform", field="stream")
        platforms = [args.platform] if args.platform else await sync.list_pulled_platforms(deps)
        results = []
        try:
            for platform in platforms:
                if args.stream:
                    results.append(await sync.pull_stream(deps, platform, args.stream, on_page=_show_progress))
                else:
                    results += await sync.pull_platform(deps, platform, full=args.full, on_page=_show_progress)
        except sync.PullFailed as exc:
            logs.end_progress()
            raise InvalidValue(str(exc)) from exc
        return {
            "pulled": [
                {
                    "platform": r.platform,
                    "stream": r.stream,
                    "pages": r.pages,
                    "items": r.items,
                    "new_events": r.new_events,
                    "refused": r.refused,
                    "held_back": r.held_back,
                }
                for r in results
            ]
        }

    _run_with_deps(settings, action)


def _state_json(state: StreamState) -> dict[str, Any]:
    def iso(instant: dt.datetime | None) -> str | None:
        return instant.isoformat() if instant is not None else None

    return {
        "platform": state.platform,
        "stream": state.stream,
        "pages": state.pages,
        "items": state.items,
        "updated_at": iso(state.updated_at),
        "caught_up_at": iso(state.caught_up_at),
        "last_error": state.last_error,
        "last_error_at": iso(state.last_error_at),
    }


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

    _run_with_deps(settings, action)


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

    _run_with_deps(settings, action)


def _operator() -> str:
    """Who runs the command, as an actor in the audit trail: the operating-system user."""
    try:
        return f"operator:{getpass.getuser()}"
    except (OSError, KeyError):  # no user name in the environment and none in the password database
        return "operator:unknown"


def _show_archived(table: str, month: dt.date, archived: ArchivedMonth | None) -> None:
    if archived is None:
        logs.show_progress(f"{table} {month:%Y-%m}: archiving…")
        return
    logs.show_progress(
        f"{table} {month:%Y-%m}: {archived.rows:,} row{'' if archived.rows == 1 else 's'} → {archived.file} "
        f"(sha256 {archived.sha256[:16]}…), partition dropped"
    )
    logs.end_progress()


def _archived_json(archived: ArchivedMonth) -> dict[str, Any]:
    return {
        "table": archived.table,
        "month": f"{archived.month:%Y-%m}",
        "rows": archived.rows,
        "file": str(archived.file),
        "sha256": archived.sha256,
        "manifest": str(archived.manifest),
    }


def cmd_audit_archive(args: argparse.Namespace, settings: Settings) -> None:
    from credithub import archives

    async def action(deps: Deps) -> dict[str, Any]:
        from credithub.domain import audit_retention
        from credithub.services import audit_archive

        before = audit_retention.parse_month(args.before)
        directory = args.to if args.to is not None else settings.data_dir / "audit-archive"
        done = await audit_archive.archive_before(deps, before, directory, actor=_operator(), on_month=_show_archived)
        if not done:
            print(f"nothing to archive before {args.before}: no month partition left there", file=sys.stderr)
        return {"before": f"{before:%Y-%m}", "directory": str(directory), "archived": [_archived_json(a) for a in done]}

    try:
        _run_with_deps(settings, action)
    except archives.ArchiveError as exc:
        _fail(EXIT_REFUSED, f"error: {exc}")


def _progress_bar(summary: ImportSummary, fraction: float) -> None:
    """A progress line on a terminal (nothing when stderr is a file or a pipe)."""
    if not sys.stderr.isatty():
        return
    done = round(fraction * 30)
    counts = ", ".join(f"{count:,} {outcome.value.lower()}" for outcome, count in summary.outcomes.items() if count)
    print(
        f"\r[{'#' * done}{'.' * (30 - done)}] {fraction:4.0%} {summary.rows:,} rows: {counts or '…'}, "
        f"{len(summary.refused):,} refused",
        end="",
        file=sys.stderr,
        flush=True,
    )


def cmd_import_authority(args: argparse.Namespace, settings: Settings) -> None:
    async def action(deps: Deps) -> dict[str, Any]:
        from credithub.services import authority

        if not args.file.is_file():
            raise InvalidValue(f"no such file: {args.file}", field="file")
        severities = authority.load_severity_map(args.severities)
        summary = await authority.import_file(
            deps,
            args.file,
            severity_map=severities,
            encoding=args.encoding,
            batch_size=args.batch_size,
            on_batch=_progress_bar,
        )
        if sys.stderr.isatty():
            print(file=sys.stderr)
        for line, reason in summary.refused:
            print(f"{args.file.name}:{line}: refused: {reason}", file=sys.stderr)
        return summary.as_json()

    _run_with_deps(settings, action)


def cmd_verify_report(args: argparse.Namespace, settings: Settings) -> None:
    """Offline: no database, only the report and the public key."""
    from credithub import report_keys

    try:
        signed = args.file.read_text(encoding="utf-8")
        if args.public_key is not None:
            public = report_keys.parse_public_key(args.public_key.read_text(encoding="utf-8"))
        elif settings.report_key is not None or (settings.data_dir / report_keys.KEY_FILE_NAME).exists():
            public = report_keys.load_signer(settings.report_key, settings.data_dir).public_raw
        else:
            sys.exit("error: no report key here: give --public-key (the JSON of /.well-known/credithub-report-key)")
        document = report_keys.verify(signed, public)
    except OSError as exc:
        sys.exit(f"error: {exc}")
    except (report_keys.ReportInvalid, ValueError) as exc:
        sys.exit(f"invalid report: {exc}")
    _print_json(
        {
            "valid": True,
            "keyId": report_keys.compute_key_id(public),
            "reportId": document.get("reportId"),
            "issuedAt": document.get("issuedAt"),
            "subject": document.get("subject"),
            "purpose": document.get("purpose"),
        }
    )


def cmd_export_schema(args: argparse.Namespace, settings: Settings) -> None:
    from credithub.entrypoints.graphql import build_schema

    sdl = build_schema().as_str() + "\n"
    if args.check:
        if not args.output.exists() or args.output.read_text() != sdl:
            sys.exit(f"{args.output} is stale: run `python -m credithub export-schema`")
        return
    args.output.write_text(sdl)
    print(f"wrote {args.output}", file=sys.stderr)


def _at_least_one(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {raw!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _version() -> str:
    with PYPROJECT.open("rb") as handle:
        version: str = tomllib.load(handle)["project"]["version"]
    return version


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m credithub",
        description="Platform Credit Hub. Every command uses DATABASE_URL, or the embedded database in "
        "CREDITHUB_DATA_DIR, like serve. Exit codes: 0 done, 1 refused (bad input, unknown id), 2 usage or "
        "configuration, 3 database or hub unreachable, 4 key mismatch.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the service (GraphQL, webhooks, workers, health, metrics)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--demo", action="store_true", help="load the demo world and write demo credentials")
    serve.add_argument(
        "--workers",
        type=_at_least_one,
        help="request-serving processes on the port (default CREDITHUB_SERVE_WORKERS, else one per core; "
        "with --role workers: 1); 1 runs a single process with no supervisor",
    )
    serve.add_argument(
        "--role",
        choices=["all", "api", "workers"],
        help="all (default, CREDITHUB_ROLE): everything; api: GraphQL, webhooks, pages and health, no "
        "background work; workers: the background work with /healthz, /readyz and /metrics",
    )
    serve.add_argument("--supervised-by", type=int, help=argparse.SUPPRESS)  # set by the supervisor for its children
    serve.add_argument("--listen-fd", type=int, help=argparse.SUPPRESS)  # the socket the supervisor bound
    serve.set_defaults(handler=cmd_serve)

    migrate = commands.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(handler=cmd_migrate)

    _platform_parsers(commands)

    inbox = commands.add_parser("inbox", help="platform events received by webhook").add_subparsers(
        dest="inbox_action", required=True
    )
    dead = inbox.add_parser("dead", help="list events parked after failing, with their errors")
    dead.add_argument("--platform", help="only this platform's events")
    dead.set_defaults(handler=cmd_inbox_dead)
    requeue = inbox.add_parser("requeue", help="give parked events another go")
    requeue.add_argument("--platform", help="only this platform's events")
    requeue.set_defaults(handler=cmd_inbox_requeue)

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

    sync_cmd = commands.add_parser("sync", help="pull platforms' feeds now (serve pulls on its own), with progress")
    sync_cmd.add_argument("--platform", help="only this platform (default: every platform with an API URL)")
    sync_cmd.add_argument("--stream", help="only this stream (needs --platform)")
    sync_cmd.add_argument("--full", action="store_true", help="a full reconciliation: every stream from the start")
    sync_cmd.add_argument("--status", action="store_true", help="show each stream's cursor, progress and last error")
    sync_cmd.add_argument("--rejects", action="store_true", help="list feed items the hub refused, with why")
    sync_cmd.set_defaults(handler=cmd_sync)

    _outbox_parsers(commands)
    _local_loop_parsers(commands)

    importer = commands.add_parser("import", help="import public credit information").add_subparsers(
        dest="import_action", required=True
    )
    import_authority = importer.add_parser(
        "authority",
        help="authorities' decisions (双公示 penalties, A-level taxpayers, red lists…) from CSV or JSON lines",
    )
    import_authority.add_argument("file", type=Path, help="the CSV or JSON-lines file of decisions")
    import_authority.add_argument(
        "--severities", type=Path, help="JSON map of penalty class (处罚类别) → severity (default: shipped)"
    )
    import_authority.add_argument("--encoding", default="utf-8-sig", help="text encoding of the file (e.g. gb18030)")
    import_authority.add_argument("--batch-size", type=int, default=10_000, help="rows per transaction")
    import_authority.set_defaults(handler=cmd_import_authority)

    verify = commands.add_parser("verify-report", help="verify a signed credit report offline (exit 1 if invalid)")
    verify.add_argument("file", type=Path, help="the report: the `signed` JSON text of creditReport")
    verify.add_argument(
        "--public-key",
        type=Path,
        help="the hub's public key: the JSON of /.well-known/credithub-report-key, or a PEM (default: this hub's)",
    )
    verify.set_defaults(handler=cmd_verify_report)

    recompute = commands.add_parser(
        "recompute-statuses", help="bring every stored credit status up to date now (serve does it continuously)"
    )
    recompute.add_argument(
        "--concurrency",
        type=_at_least_one,
        default=RECOMPUTE_CONCURRENCY,
        help=f"batches of statuses in progress at once in each process (default {RECOMPUTE_CONCURRENCY})",
    )
    recompute.add_argument(
        "--processes",
        type=_at_least_one,
        default=os.cpu_count() or 1,
        help="processes recomputing side by side, each with its own connections (default: one per core)",
    )
    recompute.set_defaults(handler=cmd_recompute_statuses)

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

    _audit_parsers(commands)

    export = commands.add_parser("export-schema", help="write the GraphQL SDL to schema.graphql")
    export.add_argument("--output", type=Path, default=SCHEMA_PATH, help="where to write (default schema.graphql)")
    export.add_argument("--check", action="store_true", help="fail if the file differs instead of writing it")
    export.set_defaults(handler=cmd_export_schema)
    return parser


def _platform_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def _audit_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit_cmd = commands.add_parser("audit", help="the audit trail's monthly partitions").add_subparsers(
        dest="audit_action", required=True
    )
    archive = audit_cmd.add_parser(
        "archive",
        help="write each month before --before to a gzip CSV with a SHA-256 manifest, check it, then drop its "
        "partition (months within CREDITHUB_AUDIT_RETENTION_MONTHS are refused)",
    )
    archive.add_argument("--before", required=True, metavar="YYYY-MM", help="archive every month before this one")
    archive.add_argument(
        "--to", type=Path, metavar="DIR", help="where the files go (default: audit-archive in CREDITHUB_DATA_DIR)"
    )
    archive.set_defaults(handler=cmd_audit_archive)


def _outbox_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def _local_loop_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    simulate = commands.add_parser("simulate", help="run a platform simulator as a process, registered with the hub")
    simulate.add_argument("family", metavar="FAMILY", help="standard, marketplace or livestream")
    simulate.add_argument("--port", type=int, required=True, help="port the simulator listens on")
    simulate.add_argument("--host", default="127.0.0.1", help="address it listens on (default 127.0.0.1)")
    simulate.add_argument(
        "--platform", default="sim", help="the platform code to register it as, or re-point (default sim)"
    )
    simulate.add_argument("--events", type=int, default=9, help="sample items in its feeds (default 9)")
    simulate.set_defaults(handler=cmd_simulate)

    trigger = commands.add_parser("trigger", help="sign a sample event as a platform and send it to the hub")
    trigger.add_argument("event", metavar="EVENT", help=", ".join(event_type.value for event_type in EventType))
    trigger.add_argument("--platform", required=True, help="the platform that sends it (its webhook secret signs it)")
    trigger.add_argument(
        "--hub", default="http://127.0.0.1:8000", help="the hub's base URL (default http://127.0.0.1:8000)"
    )
    trigger.add_argument("--secret", help="sign with this webhook secret instead of reading it from the database")
    trigger.add_argument("--credit-code", help="about this merchant instead of a made-up one")
    trigger.add_argument("--violation-id", help="the violation id to report or revoke")
    trigger.set_defaults(handler=cmd_trigger)

    listen = commands.add_parser("listen", help="receive the hub's pushes for a platform, verified, and forward them")
    listen.add_argument("--platform", required=True, help="a standard platform whose pushes to take over")
    listen.add_argument("--forward-to", help="your endpoint: each verified push is POSTed there unchanged")
    listen.add_argument("--port", type=int, default=8010, help="port to listen on (default 8010)")
    listen.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    listen.add_argument("--secret", help="verify with this outbound secret and leave the push URL as it is")
    listen.set_defaults(handler=cmd_listen)


def cmd_simulate(args: argparse.Namespace, settings: Settings) -> None:
    from credithub.entrypoints import local_loop  # a web server and the simulators: loaded when used

    local_loop.cmd_simulate(args, settings)


def cmd_trigger(args: argparse.Namespace, settings: Settings) -> None:
    from credithub.entrypoints import local_loop

    local_loop.cmd_trigger(args, settings)


def cmd_listen(args: argparse.Namespace, settings: Settings) -> None:
    from credithub.entrypoints import local_loop

    local_loop.cmd_listen(args, settings)


def _where(settings: Settings) -> str:
    """The database as a person would name it, without its password."""
    if settings.database_url is None:
        return f"the embedded database in {settings.data_dir}"
    parts = urlsplit(settings.database_url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        _fail(EXIT_USAGE, f"configuration error: {exc}")
    logs.configure(settings.log_level, fmt=settings.log_format)
    try:
        args.handler(args, settings)
    except bootstrap.KeyMismatch as exc:
        _fail(EXIT_KEY_MISMATCH, f"error: {exc}")
    except DomainError as exc:
        _fail(EXIT_REFUSED, f"error: {exc}")
    except asyncpg.ClientConfigurationError as exc:
        _fail(EXIT_USAGE, f"configuration error: DATABASE_URL: {exc}")
    except UNREACHABLE as exc:
        _fail(EXIT_UNREACHABLE, f"error: cannot reach {_where(settings)}: {exc or type(exc).__name__}")
    except httpx.TransportError as exc:
        _fail(EXIT_UNREACHABLE, f"error: cannot reach {exc.request.url}: {exc or type(exc).__name__}")
    except KeyboardInterrupt:
        sys.exit(130)


def _fail(code: int, message: str) -> NoReturn:
    print(message.splitlines()[0] if message else "error", file=sys.stderr)
    sys.exit(code)
