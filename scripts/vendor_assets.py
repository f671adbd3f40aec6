"""Refresh the browser libraries the dashboard and GraphiQL use, from the npm registry.

    .venv/bin/python scripts/vendor_assets.py            # download the pinned versions, verify, write
    .venv/bin/python scripts/vendor_assets.py --check    # the files on disk are what the manifest says
    .venv/bin/python scripts/vendor_assets.py --outdated # which pins have a newer release

The hub serves every asset itself (no CDN, no build step): the built files of each package are
taken from its registry tarball, whose sha512 must match the registry's `dist.integrity` and, once
recorded, the integrity kept in the manifest (a tarball that changes under the same version is
refused). The files land in `credithub/entrypoints/static/vendor/<package>/` with the package's
licence; `manifest.json` records version, licence, tarball, integrity and each file's sha256, and
`VENDORED.md` says the same for people. To upgrade, change a version below and run the script.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx

REGISTRY: Final = "https://registry.npmjs.org"
VENDOR_DIR: Final = Path(__file__).resolve().parent.parent / "credithub" / "entrypoints" / "static" / "vendor"
MANIFEST: Final = VENDOR_DIR / "manifest.json"
READABLE: Final = VENDOR_DIR / "VENDORED.md"
TIMEOUT_SECONDS: Final = 60.0


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    purpose: str
    files: dict[str, str]  # path inside the tarball → path under vendor/<name>/


PACKAGES: Final = (
    Package(
        "preact",
        "11.2.0",
        "dashboard: components and hooks",
        {
            "package/dist/preact.mjs": "preact.mjs",
            "package/hooks/dist/hooks.mjs": "hooks.mjs",
            "package/LICENSE": "LICENSE",
        },
    ),
    Package(
        "htm",
        "3.1.1",
        "dashboard: JSX-like templates in plain JavaScript, no build step",
        {"package/dist/htm.mjs": "htm.mjs", "package/LICENSE": "LICENSE"},
    ),
    Package(
        "graphql-ws",
        "6.4.2",
        "dashboard: the graphql-transport-ws client for creditStatusChanged",
        {
            "package/dist/client.js": "client.js",
            "package/dist/common-CGW11Fyb.js": "common-CGW11Fyb.js",
            "package/LICENSE.md": "LICENSE.md",
        },
    ),
    Package(
        "chart.js",
        "4.6.1",
        "dashboard: the overview's charts",
        {"package/dist/chart.umd.min.js": "chart.umd.min.js", "package/LICENSE.md": "LICENSE.md"},
    ),
    Package(
        "graphiql",
        "3.9.0",
        "GraphiQL at /graphql (the last release with a browser-ready UMD build; it bundles graphql-ws)",
        {
            "package/graphiql.min.js": "graphiql.min.js",
            "package/graphiql.min.css": "graphiql.min.css",
            "package/LICENSE": "LICENSE",
        },
    ),
    Package(
        "react",
        "18.3.1",
        "GraphiQL's UI library (React 18: the last with UMD builds)",
        {"package/umd/react.production.min.js": "react.production.min.js", "package/LICENSE": "LICENSE"},
    ),
    Package(
        "react-dom",
        "18.3.1",
        "GraphiQL's UI library",
        {"package/umd/react-dom.production.min.js": "react-dom.production.min.js", "package/LICENSE": "LICENSE"},
    ),
)


class VendorError(Exception):
    """A download does not match what the registry or the manifest promised."""


def sri_sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest() -> dict[str, Any]:
    if not MANIFEST.exists():
        return {"packages": {}}
    manifest: dict[str, Any] = json.loads(MANIFEST.read_text())
    return manifest


def fetch_package(http: httpx.Client, package: Package, pinned: dict[str, Any] | None) -> dict[str, Any]:
    """Download one package's tarball, verify it, write its files; returns its manifest entry."""
    meta = http.get(f"{REGISTRY}/{package.name}/{package.version}").raise_for_status().json()
    tarball_url, integrity = meta["dist"]["tarball"], meta["dist"]["integrity"]
    if pinned and pinned.get("version") == package.version and pinned.get("integrity") != integrity:
        raise VendorError(f"{package.name}@{package.version}: the registry's integrity changed since it was pinned")
    tarball = http.get(tarball_url).raise_for_status().content
    if sri_sha512(tarball) != integrity:
        raise VendorError(f"{package.name}@{package.version}: the tarball does not match its integrity")
    target = VENDOR_DIR / package.name
    target.mkdir(parents=True, exist_ok=True)
    written: dict[str, str] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for inside, outside in package.files.items():
            member = archive.extractfile(inside)
            if member is None:
                raise VendorError(f"{package.name}@{package.version}: {inside} is not a file")
            data = member.read()
            (target / outside).write_bytes(data)
            written[f"{package.name}/{outside}"] = sha256(data)
    return {
        "version": package.version,
        "license": meta.get("license", "see LICENSE"),
        "purpose": package.purpose,
        "tarball": tarball_url,
        "integrity": integrity,
        "files": written,
    }


def write_readable(manifest: dict[str, Any]) -> None:
    lines = [
        "# Vendored browser libraries",
        "",
        "Written by `scripts/vendor_assets.py` from the npm registry (tarball integrity verified);",
        "do not edit by hand. Each folder holds the package's built files and its licence.",
        "",
        "| package | version | licence | used for |",
        "|---|---|---|---|",
    ]
    for name, entry in manifest["packages"].items():
        lines.append(f"| {name} | {entry['version']} | {entry['license']} | {entry['purpose']} |")
    READABLE.write_text("\n".join(lines) + "\n")


def vendor() -> None:
    old = read_manifest()["packages"]
    manifest: dict[str, Any] = {"registry": REGISTRY, "packages": {}}
    with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=True) as http:
        for package in PACKAGES:
            print(f"{package.name}@{package.version} …", flush=True)
            manifest["packages"][package.name] = fetch_package(http, package, old.get(package.name))
    MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    write_readable(manifest)
    print(f"wrote {MANIFEST.relative_to(Path.cwd()) if MANIFEST.is_relative_to(Path.cwd()) else MANIFEST}")


def check() -> list[str]:
    """What differs between the manifest and the files on disk (empty: all is as recorded)."""
    problems = []
    for name, entry in read_manifest()["packages"].items():
        for path, digest in entry["files"].items():
            file = VENDOR_DIR / path
            if not file.exists():
                problems.append(f"{path}: missing")
            elif sha256(file.read_bytes()) != digest:
                problems.append(f"{path}: changed since {name}@{entry['version']} was vendored")
    return problems


def outdated() -> None:
    with httpx.Client(timeout=TIMEOUT_SECONDS) as http:
        for package in PACKAGES:
            latest = http.get(f"{REGISTRY}/-/package/{package.name}/dist-tags").raise_for_status().json()["latest"]
            mark = "" if latest == package.version else f"  (latest {latest})"
            print(f"{package.name} {package.version}{mark}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="verify the vendored files against the manifest")
    group.add_argument("--outdated", action="store_true", help="show pins that have a newer release")
    args = parser.parse_args()
    if args.check:
        problems = check()
        print("\n".join(problems) or "vendored files match the manifest")
        return 1 if problems else 0
    if args.outdated:
        outdated()
        return 0
    vendor()
    return 0


if __name__ == "__main__":
    sys.exit(main())
