"""Outside toolchains the suite drives as a user would (Node, the JDK): found, prepared once, or
the test is skipped with the reason. They run as subprocesses of the event loop, so the hub the
suite serves in-process keeps answering them."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

NPM_TIMEOUT_SECONDS = 180


def require(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        pytest.skip(f"{program} is not installed on this machine")
    return found


def npm_install(folder: Path) -> Path:
    """`npm ci` into the folder's node_modules (git-ignored) unless it is there already."""
    require("node")
    npm = require("npm")
    marker = folder / "node_modules" / ".package-lock.json"
    lock = folder / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return folder
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=NPM_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"npm could not install {folder.name}'s packages: {done.stderr.strip()[-300:]}")
    return folder


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


async def run(*command: str, cwd: Path, seconds: float = 60, env: dict[str, str] | None = None) -> Ran:
    """Run a program without blocking the event loop (the hub under test lives on it)."""
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), seconds)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return Ran(process.returncode, out.decode(), err.decode())
