"""A source in its own process: ``python -m bench.server [--tls] [--lean] [--cpu N]``.

Serves :class:`realtalk.emulator.flood.FloodEmulator` (or, with ``--lean``, the
lean paced source of :mod:`bench.lean`; with ``--openai``, the OpenAI Realtime
flood and paced source of :mod:`bench.flood_openai`) on 127.0.0.1 (a free port), prints its
URL on the first line of stdout and, with ``--tls``, the CA file on the second,
then serves until SIGTERM or SIGINT. :class:`SourceProcess` starts and stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import subprocess
import sys
from pathlib import Path

from bench.worker import prepare_process

ROOT = Path(__file__).resolve().parents[1]


async def serve(tls: bool, lean: bool, openai: bool = False) -> None:
    from realtalk.emulator.flood import FloodEmulator

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if lean or openai:
        await serve_lean_until(stop, tls, openai)
        return
    async with FloodEmulator(tls=tls) as source:
        print(source.url, flush=True)
        if tls:
            print(source.ca_file, flush=True)
        await stop.wait()


async def serve_lean_until(stop: asyncio.Event, tls: bool, openai: bool = False) -> None:
    from bench.flood_openai import serve_openai
    from bench.lean import serve_lean
    from realtalk.emulator.tls import make_tls

    material = make_tls("127.0.0.1") if tls else None
    start = serve_openai if openai else serve_lean
    try:
        server = await start(ssl_context=material.server_context if material else None)
        port = server.sockets[0].getsockname()[1]
        print(f"{'wss' if tls else 'ws'}://127.0.0.1:{port}", flush=True)
        if material is not None:
            print(material.ca_file, flush=True)
        await stop.wait()
        server.close()
    finally:
        if material is not None:
            material.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.server")
    parser.add_argument("--tls", action="store_true")
    parser.add_argument("--lean", action="store_true", help="the lean paced source")
    parser.add_argument("--openai", action="store_true", help="the OpenAI Realtime source")
    parser.add_argument("--cpu", type=int, default=None)
    args = parser.parse_args()
    prepare_process(args.cpu)
    asyncio.run(serve(args.tls, args.lean, args.openai))


class SourceProcess:
    """A flood source subprocess (context manager): ``url``, ``ca_file``, ``pid``."""

    def __init__(
        self, *, tls: bool, cpu: int | None, lean: bool = False, openai: bool = False
    ) -> None:
        command = [sys.executable, "-m", "bench.server"]
        if tls:
            command.append("--tls")
        if lean:
            command.append("--lean")
        if openai:
            command.append("--openai")
        if cpu is not None:
            command += ["--cpu", str(cpu)]
        self._proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self._proc.stdout is not None
        self.url = self._proc.stdout.readline().strip()
        self.ca_file = self._proc.stdout.readline().strip() if tls else None
        if not self.url:
            self.close()
            raise RuntimeError("the flood source did not start")
        self.pid = self._proc.pid

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def __enter__(self) -> SourceProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
