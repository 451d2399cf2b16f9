"""``loyaltysim app [FILE]``: the interactive Mesa (SolaraViz) app in the browser.

The page itself is :mod:`loyaltysim.app.page`. This command checks the scenario first (so a
bad file fails here, with the usual message and exit status 2, instead of inside a browser
tab) and that every browser file of the page is installed locally
(:mod:`loyaltysim.app.assets`: offline, a missing one is a blank page), then runs
``solara run loyaltysim.app.page`` with the scenario passed in environment variables
(:mod:`loyaltysim.app.settings`).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

from loyaltysim.scenario.problems import UserError

NAME = "app"
HELP = "open the interactive app (Mesa SolaraViz) with sliders for the main levers"

#: The module ``solara run`` serves.
APP_MODULE = "loyaltysim.app.page"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``app``."""
    from loyaltysim.app.settings import DEFAULT_SCENARIO

    parser.add_argument(
        "file",
        type=Path,
        nargs="?",
        default=DEFAULT_SCENARIO,
        help=f"scenario file (TOML; default {DEFAULT_SCENARIO})",
    )
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a value before the sliders apply, e.g. --set run.days=180 (repeatable)",
    )
    parser.add_argument(
        "--shop",
        help="shop the sliders act on (default: the first shop that charges a shipping fee)",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this computer only)",
    )
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    parser.add_argument(
        "--no-open", action="store_true", help="do not open a browser window (just print the URL)"
    )


def solara_command(args: argparse.Namespace) -> list[str]:
    """The ``solara run`` command line for ``args``.

    ``--no-check-version`` keeps solara from asking PyPI for a newer version at each start,
    so the app starts the same offline (in a classroom without internet, say).
    ``--production`` serves the minified front end and leaves out the hidden frames that
    report a first start to solara.dev; it also turns off reloading on source edits, which
    only a developer of the page wants.
    """
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP_MODULE,
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--no-check-version",
        "--production",
    ]
    if args.no_open:
        command.append("--no-open")
    return command


def execute(args: argparse.Namespace, argv: list[str]) -> int:
    """Check the scenario and the page's browser files, print the URL, serve until Ctrl-C."""
    from loyaltysim.app.assets import check_assets
    from loyaltysim.app.settings import AppSettings, focal_shop

    if importlib.util.find_spec("solara") is None:
        raise UserError(
            "the app needs the `app` extras (Mesa's SolaraViz): pip install -e '.[app]'"
        )
    if not 1 <= args.port <= 65535:
        raise UserError(f"--port: expected a port number 1..65535, given {args.port}")
    settings = AppSettings(file=args.file, sets=tuple(args.sets), shop=args.shop)
    shop = focal_shop(settings.load(), args.shop)
    check_assets()
    # solara's process may resolve relative paths elsewhere; hand it an absolute one.
    settings = dataclasses.replace(settings, file=args.file.resolve())
    env = {
        **os.environ,
        **settings.environment(),
        # solara reports usage to Mixpanel unless told not to; a teaching tool should not.
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": os.environ.get(
            "SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False"
        ),
    }
    url = f"http://{args.host}:{args.port}/"
    print(
        f"loyaltysim app: {url}  ({args.file}, sliders act on {shop}; Ctrl-C to stop)",
        flush=True,
    )
    process = subprocess.Popen(solara_command(args), env=env)
    # A SIGTERM (a service manager, `timeout`, a test) must not leave solara running alone.
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        return process.wait()
    except KeyboardInterrupt:
        return 0  # the terminal sent Ctrl-C to solara too
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop(process)


def _exit_on_signal(signum: int, frame: object) -> None:
    """Turn SIGTERM into ``SystemExit`` so that ``finally`` stops the server."""
    raise SystemExit(128 + signum)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server if it still runs: politely first, then for sure."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
