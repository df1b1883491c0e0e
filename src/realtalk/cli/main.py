"""Entry point of the ``realtalk`` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="realtalk", description="Live model sessions: demo and local emulator."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="narrate a scripted session against the embedded emulator")
    demo.add_argument(
        "--live",
        action="store_true",
        help="talk to the real Gemini Live API instead (needs GEMINI_API_KEY)",
    )
    demo.add_argument("--model", default=None, help="model id (default: a native-audio Live model)")

    replay = sub.add_parser("replay", help="print a readable timeline of a wire recording")
    replay.add_argument("file", help="a recording made with record_to=")

    emulator = sub.add_parser("emulator", help="serve the protocol emulator until interrupted")
    emulator.add_argument("--provider", default="gemini", choices=["gemini", "openai"])
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=0, help="0 picks a free port")
    emulator.add_argument("--scenario", default=None, help="JSON or YAML scenario file")
    emulator.add_argument(
        "--tls", action="store_true", help="serve wss:// with a throwaway local CA"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    args = _parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        if args.command == "demo":
            from realtalk.cli.demo import run_demo

            return asyncio.run(run_demo(live=args.live, model=args.model))
        if args.command == "replay":
            from realtalk.cli.replay import run_replay

            return run_replay(args.file, sys.stdout)
        if args.command == "emulator":
            from realtalk.emulator import run_emulator_cli

            asyncio.run(
                run_emulator_cli(
                    provider=args.provider,
                    port=args.port,
                    scenario=args.scenario,
                    tls=args.tls,
                    host=args.host,
                )
            )
            return 0
    return 130 if args.command == "emulator" else 1


if __name__ == "__main__":
    sys.exit(main())
