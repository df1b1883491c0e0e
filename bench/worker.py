"""A measuring process for one client: ``python -m bench.worker CLIENT URL [--ca FILE]``.

Options: ``--cpu N`` pins it, ``--loop uvloop`` runs it on uvloop (if installed).

The driver starts one worker per client (pinned to one CPU) and sends it commands,
one JSON object per line on stdin; the worker answers each with one JSON line on
stdout (``{"error": ...}`` if it failed). Commands (``op``):

* ``flood`` (``kind``, ``n``) and ``send`` (``n``): measured on one session that
  the worker opens and warms up at its first such command, then keeps;
* ``idle`` (``n``): memory per idle session (send it first, to a fresh worker);
* ``capacity_step`` (``n``, ``settle``, ``window``, ``source_pid``);
* ``quit``.

With ``"profile": PATH`` the measured window runs under cProfile and the functions
with the most own and cumulative time are written to PATH.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import os
import pstats
import resource
import sys
import warnings
from typing import Any

from bench import measures
from bench.clients import Client, Target


def prepare_process(cpu: int | None) -> None:
    """Pin to ``cpu`` (when the OS allows it) and lift the open-file limit."""
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {cpu})
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Worker:
    def __init__(self, name: str, target: Target) -> None:
        self.name = name
        self.target = target
        self.session: Client | None = None

    async def run(self, command: dict[str, Any], profiler: Any) -> dict[str, Any]:
        op = command["op"]
        if op in ("flood", "send"):
            if self.session is None:
                self.session = await measures.open_warm(self.name, self.target)
            if op == "flood":
                return await measures.flood_once(
                    self.session, command["kind"], command["n"], profiler
                )
            return await measures.send_once(self.session, command["n"], profiler)
        if op == "idle":
            return await measures.idle(self.name, self.target, command["n"])
        if op == "capacity_step":
            return await measures.capacity_step(
                self.name,
                self.target,
                command["n"],
                command["settle"],
                command["window"],
                command.get("source_pid"),
                profiler,
            )
        raise ValueError(f"unknown op {op!r}")

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()


def _write_profile(profiler: cProfile.Profile, path: str) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(35)
    stats.sort_stats("cumulative").print_stats(35)
    with open(path, "w") as file:
        file.write(out.getvalue())


async def serve(name: str, target: Target) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    worker = Worker(name, target)
    try:
        while line := await reader.readline():
            command = json.loads(line)
            if command["op"] == "quit":
                break
            profiler = cProfile.Profile() if command.get("profile") else None
            try:
                result = await worker.run(command, profiler)
            except Exception as exc:
                result = {"error": f"{type(exc).__name__}: {exc}"}
            if profiler is not None:
                _write_profile(profiler, command["profile"])
            print(json.dumps(result), flush=True)
    finally:
        await worker.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument("client")
    parser.add_argument("url")
    parser.add_argument("--ca", default=None)
    parser.add_argument("--cpu", type=int, default=None)
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    args = parser.parse_args()
    prepare_process(args.cpu)
    if args.loop == "uvloop":
        import uvloop  # optional: only for the lever experiment (--loop uvloop)

        uvloop.install()
    warnings.simplefilter("ignore")  # SDK deprecation chatter must not reach the report
    asyncio.run(serve(args.client, Target(args.url, args.ca)))


if __name__ == "__main__":
    main()
