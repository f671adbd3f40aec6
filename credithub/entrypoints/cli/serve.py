"""`serve` (one process, or a supervisor and its children) and `migrate`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from credithub import bootstrap
from credithub.entrypoints.cli.common import EXIT_USAGE, at_least_one, fail, print_json
from credithub.settings import Settings


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="run the service (GraphQL, webhooks, workers, health, metrics)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--demo", action="store_true", help="load the demo world and write demo credentials")
    serve.add_argument(
        "--workers",
        type=at_least_one,
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
        fail(EXIT_USAGE, f"error: cannot listen on {args.host}:{args.port}: {exc}")
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
        print_json({"applied": applied})

    asyncio.run(run())
