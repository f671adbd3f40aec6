"""`sync`: pull platforms' feeds now, with progress, or show the streams' state and rejects."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING, Any

from credithub.domain.errors import InvalidValue
from credithub.entrypoints import logs
from credithub.entrypoints.cli.common import run_with_deps
from credithub.services.ports import Deps
from credithub.settings import Settings

if TYPE_CHECKING:  # imported by the command, so `--help` stays quick
    from credithub.db.sync import StreamState
    from credithub.services.sync import Progress


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sync_cmd = commands.add_parser("sync", help="pull platforms' feeds now (serve pulls on its own), with progress")
    sync_cmd.add_argument("--platform", help="only this platform (default: every platform with an API URL)")
    sync_cmd.add_argument("--stream", help="only this stream (needs --platform)")
    sync_cmd.add_argument("--full", action="store_true", help="a full reconciliation: every stream from the start")
    sync_cmd.add_argument("--status", action="store_true", help="show each stream's cursor, progress and last error")
    sync_cmd.add_argument("--rejects", action="store_true", help="list feed items the hub refused, with why")
    sync_cmd.set_defaults(handler=cmd_sync)


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

    run_with_deps(settings, action)


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
