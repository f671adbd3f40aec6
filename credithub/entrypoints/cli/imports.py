"""`import authority`: authorities' public decisions from CSV or JSON lines."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credithub.domain.errors import InvalidValue
from credithub.entrypoints.cli.common import run_with_deps
from credithub.services.ports import Deps
from credithub.settings import Settings

if TYPE_CHECKING:  # imported by the command, so `--help` stays quick
    from credithub.services.authority import ImportSummary


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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

    run_with_deps(settings, action)
