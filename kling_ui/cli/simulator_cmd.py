"""`python -m kling_ui simulator`: run the Kling API simulator in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path
from typing import Any

from kling_ui.cli import EXIT_OK, EXIT_USAGE, add_command
from kling_ui.simulator import SimulatorConfig, SimulatorServer
from kling_ui.simulator.config import REALWORLD_ENV, UNKNOWN_ID_ANSWERS, realworld_from_env

DEFAULT_PORT = 8765
ACCESS_KEY_ENV = ("KLING_SIM_ACCESS_KEY", "KLING_ACCESS_KEY")
SECRET_KEY_ENV = ("KLING_SIM_SECRET_KEY", "KLING_SECRET_KEY")
API_KEY_ENV = ("KLING_SIM_API_KEY", "KLING_API_KEY")


def register(subparsers: Any) -> None:
    """Add the `simulator` command."""
    parser = add_command(
        subparsers,
        "simulator",
        (
            "Serve a simulated Kling image-to-video API (same HTTP contract, real H.264 "
            "videos) until Ctrl-C. Point KLING_BASE_URL at the printed URL. Keys come from "
            "--access-key/--secret-key/--api-key, else KLING_SIM_ACCESS_KEY/"
            "KLING_SIM_SECRET_KEY/KLING_SIM_API_KEY, else Kling_Access_Key/Kling_Secret_Key/"
            "Kling_API_Key, else the simulator's defaults. A key starting with '-' is given "
            "as --access-key=VALUE."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 = free)"
    )
    parser.add_argument(
        "--latency", type=float, default=20.0, help="seconds from create to the end of a task"
    )
    parser.add_argument("--concurrency", type=int, default=3, help="concurrent task limit")
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        help="share of API requests given a fault, spread over 5xx, 1302, drop and slow",
    )
    parser.add_argument("--fail-rate", type=float, default=0.0, help="share of tasks that fail")
    parser.add_argument(
        "--render-height", type=int, default=None, help="video height (default: 720 std/1080 pro)"
    )
    parser.add_argument("--seed", type=int, default=None, help="repeatable fault draws")
    parser.add_argument("--data-dir", type=Path, default=None, help="keep the videos here")
    parser.add_argument("--access-key", default=None, help="access key the tokens must name")
    parser.add_argument("--secret-key", default=None, help="secret key the tokens are signed with")
    parser.add_argument(
        "--api-key", default=None, help="API key accepted as it is in 'Authorization: Bearer'"
    )
    parser.add_argument(
        "--realworld",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=(
            "answer in every shape the docs allow: nulls, integer task ids, an unknown early "
            f"status, an unordered list, terse refusals (default: {REALWORLD_ENV}=1 or off)"
        ),
    )
    parser.add_argument(
        "--foreign-tasks",
        type=int,
        default=0,
        metavar="N",
        help="finished tasks of other apps on the account, shown in the list",
    )
    parser.add_argument(
        "--foreign-in-flight",
        type=int,
        default=0,
        metavar="N",
        help="running tasks of other apps that hold the account's slots for --latency",
    )
    parser.add_argument(
        "--unknown-id-answer",
        choices=UNKNOWN_ID_ANSWERS,
        default=None,
        help="answer to an unknown task id: 404/1203, 400/1201 or 200 with data null "
        "(default: 400 with --realworld, else 404)",
    )
    parser.set_defaults(func=run)


def config_from_args(args: argparse.Namespace) -> SimulatorConfig:
    """The SimulatorConfig the arguments ask for; ValueError names a bad value."""
    share = args.fault_rate / 4
    if not 0 <= args.fault_rate <= 1:
        raise ValueError("--fault-rate must be between 0 and 1")
    defaults = SimulatorConfig()
    return SimulatorConfig(
        access_key=args.access_key or _env(ACCESS_KEY_ENV) or defaults.access_key,
        secret_key=args.secret_key or _env(SECRET_KEY_ENV) or defaults.secret_key,
        api_key=args.api_key or _env(API_KEY_ENV) or defaults.api_key,
        latency=args.latency,
        concurrency=args.concurrency,
        fault_5xx=share,
        fault_1302=share,
        fault_drop=share,
        fault_slow=share,
        fail_rate=args.fail_rate,
        render_height=args.render_height,
        seed=args.seed,
        realworld=realworld_from_env() if args.realworld is None else args.realworld,
        foreign_tasks=args.foreign_tasks,
        foreign_in_flight=args.foreign_in_flight,
        unknown_id_answer=args.unknown_id_answer,
    )


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C; the exit code."""
    try:
        config = config_from_args(args)
    except ValueError as exc:
        print(f"simulator: {exc}", file=sys.stderr)
        return EXIT_USAGE
    server = SimulatorServer(config, host=args.host, port=args.port, data_dir=args.data_dir)
    try:
        base_url = server.start()
    except OSError as exc:
        print(f"simulator: cannot listen on {args.host}:{args.port} ({exc})", file=sys.stderr)
        return EXIT_USAGE
    try:  # a Ctrl-C from here on, even while the lines below are printed, stops the server
        print(base_url, flush=True)
        print(
            f"Kling simulator ready: latency {config.latency:g}s, {config.concurrency} slots, "
            f"{_describe(config)}. Ctrl-C to stop.",
            file=sys.stderr,
            flush=True,
        )
        threading.Event().wait()  # until Ctrl-C raises KeyboardInterrupt here
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return EXIT_OK


def _describe(config: SimulatorConfig) -> str:
    """The keys (shown only when they are the simulator's own defaults) and the mode."""
    defaults = SimulatorConfig()
    if (config.access_key, config.secret_key) == (defaults.access_key, defaults.secret_key):
        keys = f"access key {defaults.access_key!r}, secret key {defaults.secret_key!r}"
    else:
        keys = "the configured access and secret keys"
    if config.api_key == defaults.api_key:
        keys += f", API key {defaults.api_key!r}"
    else:
        keys += ", the configured API key"
    if not config.realworld:
        return keys
    return f"{keys}, realworld answers (unknown id: {config.unknown_id_mode})"


def _env(names: tuple[str, ...]) -> str | None:
    lowered = {k.lower(): v for k, v in os.environ.items()}
    for name in names:
        value = lowered.get(name.lower(), "").strip()
        if value:
            return value
    return None
