"""The CLI explains itself: every command and every option has help, and --version answers."""

from __future__ import annotations

import argparse
import io
import json
import logging
import re

import pytest

from credithub.entrypoints import cli, logs


def _parsers(parser: argparse.ArgumentParser, path: str = "") -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(path or "python -m credithub", parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += _parsers(child, f"{path} {name}".strip())
    return found


PARSERS = _parsers(cli.build_parser())


@pytest.mark.parametrize(("command", "parser"), PARSERS, ids=[command for command, _ in PARSERS])
def test_every_option_and_argument_of_every_command_has_help(command: str, parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        assert action.help, f"{command}: {action.option_strings or action.dest} has no help"


def test_every_command_has_a_one_line_help() -> None:
    for action in cli.build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            assert all(choice.help for choice in action._choices_actions)


def test_version_prints_the_projects_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--version"])
    assert stopped.value.code == 0
    assert re.fullmatch(r"python -m credithub \d+\.\d+\.\d+\n", capsys.readouterr().out)


def test_a_log_line_never_breaks_the_progress_line(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    logs.configure("INFO", stream=stream)
    try:
        logs.show_progress("pulled 10 items")
        logging.getLogger("credithub.test").warning("a feed answered slowly")
        logs.show_progress("pulled 20 items")
        logs.end_progress()
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    # The log line starts on a cleared line and the progress line is drawn again after it.
    found = re.fullmatch(r"\r\x1b\[K(.*?)\n(.*)", stream.getvalue(), re.DOTALL)
    assert found is not None, stream.getvalue()
    assert json.loads(found.group(1))["event"] == "a feed answered slowly"
    assert found.group(2) == "\rpulled 10 items"
    assert "pulled 20 items" in capsys.readouterr().err
