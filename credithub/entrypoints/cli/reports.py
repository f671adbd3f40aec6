"""`verify-report`: check a signed credit report offline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from credithub.entrypoints.cli.common import print_json
from credithub.settings import Settings


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verify = commands.add_parser("verify-report", help="verify a signed credit report offline (exit 1 if invalid)")
    verify.add_argument("file", type=Path, help="the report: the `signed` JSON text of creditReport")
    verify.add_argument(
        "--public-key",
        type=Path,
        help="the hub's public key: the JSON of /.well-known/credithub-report-key, or a PEM (default: this hub's)",
    )
    verify.set_defaults(handler=cmd_verify_report)


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
    print_json(
        {
            "valid": True,
            "keyId": report_keys.compute_key_id(public),
            "reportId": document.get("reportId"),
            "issuedAt": document.get("issuedAt"),
            "subject": document.get("subject"),
            "purpose": document.get("purpose"),
        }
    )
