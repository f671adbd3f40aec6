"""`audit archive`: the audit trail's monthly partitions, written out and dropped."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credithub.entrypoints import logs
from credithub.entrypoints.cli.common import EXIT_REFUSED, fail, run_with_deps
from credithub.services.ports import Deps
from credithub.settings import Settings

if TYPE_CHECKING:  # imported by the command, so `--help` stays quick
    from credithub.services.audit_archive import ArchivedMonth


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
        run_with_deps(settings, action)
    except archives.ArchiveError as exc:
        fail(EXIT_REFUSED, f"error: {exc}")
