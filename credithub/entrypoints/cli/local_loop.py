"""`simulate`, `trigger` and `listen`: a platform's side of the hub on a developer's machine
(the commands themselves are in credithub/entrypoints/local_loop.py, loaded when used)."""

from __future__ import annotations

import argparse

from credithub.domain.events import EventType
from credithub.settings import Settings


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    simulate = commands.add_parser("simulate", help="run a platform simulator as a process, registered with the hub")
    simulate.add_argument("family", metavar="FAMILY", help="standard, marketplace or livestream")
    simulate.add_argument("--port", type=int, required=True, help="port the simulator listens on")
    simulate.add_argument("--host", default="127.0.0.1", help="address it listens on (default 127.0.0.1)")
    simulate.add_argument(
        "--platform", default="sim", help="the platform code to register it as, or re-point (default sim)"
    )
    simulate.add_argument("--events", type=int, default=9, help="sample items in its feeds (default 9)")
    simulate.set_defaults(handler=cmd_simulate)

    trigger = commands.add_parser("trigger", help="sign a sample event as a platform and send it to the hub")
    trigger.add_argument("event", metavar="EVENT", help=", ".join(event_type.value for event_type in EventType))
    trigger.add_argument("--platform", required=True, help="the platform that sends it (its webhook secret signs it)")
    trigger.add_argument(
        "--hub", default="http://127.0.0.1:8000", help="the hub's base URL (default http://127.0.0.1:8000)"
    )
    trigger.add_argument("--secret", help="sign with this webhook secret instead of reading it from the database")
    trigger.add_argument("--credit-code", help="about this merchant instead of a made-up one")
    trigger.add_argument("--violation-id", help="the violation id to report or revoke")
    trigger.set_defaults(handler=cmd_trigger)

    listen = commands.add_parser("listen", help="receive the hub's pushes for a platform, verified, and forward them")
    listen.add_argument("--platform", required=True, help="a standard platform whose pushes to take over")
    listen.add_argument("--forward-to", help="your endpoint: each verified push is POSTed there unchanged")
    listen.add_argument("--port", type=int, default=8010, help="port to listen on (default 8010)")
    listen.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    listen.add_argument("--secret", help="verify with this outbound secret and leave the push URL as it is")
    listen.set_defaults(handler=cmd_listen)


def cmd_simulate(args: argparse.Namespace, settings: Settings) -> None:
    from credithub.entrypoints import local_loop  # a web server and the simulators: loaded when used

    local_loop.cmd_simulate(args, settings)


def cmd_trigger(args: argparse.Namespace, settings: Settings) -> None:
    from credithub.entrypoints import local_loop

    local_loop.cmd_trigger(args, settings)


def cmd_listen(args: argparse.Namespace, settings: Settings) -> None:
    from credithub.entrypoints import local_loop

    local_loop.cmd_listen(args, settings)
