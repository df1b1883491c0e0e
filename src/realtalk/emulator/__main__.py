"""``python -m realtalk.emulator [--port N] [--scenario FILE] [--tls] [--host H]``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from realtalk.emulator.cli import PROVIDERS, run_emulator_cli


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and serve until interrupted (Ctrl-C)."""
    parser = argparse.ArgumentParser(prog="python -m realtalk.emulator")
    parser.add_argument("--provider", choices=PROVIDERS, default="gemini")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--scenario", help="JSON or YAML scenario file")
    parser.add_argument("--tls", action="store_true", help="serve wss:// with a throwaway CA")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_emulator_cli(args.provider, args.port, args.scenario, args.tls, args.host))


if __name__ == "__main__":
    main()
