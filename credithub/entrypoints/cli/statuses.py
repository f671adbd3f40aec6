"""`recompute-statuses`: bring every stored credit status up to date now."""

from __future__ import annotations

import argparse
import asyncio
import os
from typing import Final

from credithub.entrypoints.cli.common import EXIT_REFUSED, at_least_one, fail, print_json
from credithub.settings import Settings

RECOMPUTE_CONCURRENCY: Final = 2  # recompute-statuses: batches in progress at once


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    recompute = commands.add_parser(
        "recompute-statuses", help="bring every stored credit status up to date now (serve does it continuously)"
    )
    recompute.add_argument(
        "--concurrency",
        type=at_least_one,
        default=RECOMPUTE_CONCURRENCY,
        help=f"batches of statuses in progress at once in each process (default {RECOMPUTE_CONCURRENCY})",
    )
    recompute.add_argument(
        "--processes",
        type=at_least_one,
        default=os.cpu_count() or 1,
        help="processes recomputing side by side, each with its own connections (default: one per core)",
    )
    recompute.set_defaults(handler=cmd_recompute_statuses)


def cmd_recompute_statuses(args: argparse.Namespace, settings: Settings) -> None:
    from credithub.entrypoints import recompute

    try:
        with recompute.Helpers(settings, args.processes - 1, args.concurrency) as helpers:  # forked here: no loop yet
            result = asyncio.run(recompute.recompute(settings, helpers, args.concurrency))
    except recompute.RecomputeFailed as exc:
        fail(EXIT_REFUSED, f"error: {exc}")
    print_json(result)
