"""`export-schema`: write the GraphQL SDL to schema.graphql, or check that it is current."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Final

from credithub.settings import Settings

SCHEMA_PATH: Final = Path(__file__).resolve().parents[3] / "schema.graphql"


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser("export-schema", help="write the GraphQL SDL to schema.graphql")
    export.add_argument("--output", type=Path, default=SCHEMA_PATH, help="where to write (default schema.graphql)")
    export.add_argument("--check", action="store_true", help="fail if the file differs instead of writing it")
    export.set_defaults(handler=cmd_export_schema)


def cmd_export_schema(args: argparse.Namespace, settings: Settings) -> None:
    from credithub.entrypoints.graphql import build_schema

    sdl = build_schema().as_str() + "\n"
    if args.check:
        if not args.output.exists() or args.output.read_text() != sdl:
            sys.exit(f"{args.output} is stale: run `python -m credithub export-schema`")
        return
    args.output.write_text(sdl)
    print(f"wrote {args.output}", file=sys.stderr)
