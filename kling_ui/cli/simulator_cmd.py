"""`python -m kling_ui simulator`: run the Kling API simulator in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path
from typing import Any

from kling_ui.cli import EXIT_OK, EXIT_USAGE
from kling_ui.simulator import SimulatorConfig, SimulatorServer

DEFAULT_PORT = 8765
ACCESS_KEY_ENV = ("KLING_SIM_ACCESS_KEY", "KLING_ACCESS_KEY")
SECRET_KEY_ENV = ("KLING_SIM_SECRET_KEY", "KLING_SECRET_KEY")


def register(subparsers: Any) -> None:
    """Add the `simulator` command."""
    parser = subparsers.add_parser(
        "simulator",
        help="run the Kling API simulator in the foreground",
        description=(
            "Serve a simulated Kling image-to-video API (same HTTP contract, real H.264 "
            "videos) until Ctrl-C. Point KLING_BASE_URL at the printed URL. Keys come from "
            "--access-key/--secret-key, else KLING_SIM_ACCESS_KEY/KLING_SIM_SECRET_KEY, else "
            "Kling_Access_Key/Kling_Secret_Key, else the simulator's defaults."
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
        latency=args.latency,
        concurrency=args.concurrency,
        fault_5xx=share,
        fault_1302=share,
        fault_drop=share,
        fault_slow=share,
        fail_rate=args.fail_rate,
        render_height=args.render_height,
        seed=args.seed,
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
    print(base_url, flush=True)
    defaults = SimulatorConfig()
    if (config.access_key, config.secret_key) == (defaults.access_key, defaults.secret_key):
        keys = f"access key {defaults.access_key!r}, secret key {defaults.secret_key!r}"
    else:
        keys = "the configured access and secret keys"
    print(
        f"Kling simulator ready: latency {config.latency:g}s, {config.concurrency} slots, "
        f"{keys}. Ctrl-C to stop.",
        file=sys.stderr,
        flush=True,
    )
    try:
        threading.Event().wait()  # until Ctrl-C raises KeyboardInterrupt here
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return EXIT_OK


def _env(names: tuple[str, ...]) -> str | None:
    lowered = {k.lower(): v for k, v in os.environ.items()}
    for name in names:
        value = lowered.get(name.lower(), "").strip()
        if value:
            return value
    return None
