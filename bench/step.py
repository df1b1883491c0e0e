"""One real-time capacity step in this process, for a sampling profiler.

``python -m bench.step CLIENT SESSIONS [--tls]`` starts the lean source pinned to CPU 1,
pins itself to CPU 0, runs :func:`bench.measures.capacity_step` (1 s settle, 4 s window)
and prints the result, e.g. under ``py-spy record -r 500 -f raw -o OUT -- ...``.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from bench import measures
from bench.clients import Target
from bench.server import SourceProcess
from bench.worker import prepare_process


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.step")
    parser.add_argument("client")
    parser.add_argument("sessions", type=int)
    parser.add_argument("--tls", action="store_true")
    args = parser.parse_args()
    prepare_process(0)
    with SourceProcess(tls=args.tls, cpu=1, lean=True) as source:
        target = Target(source.url, source.ca_file)
        step = measures.capacity_step(args.client, target, args.sessions, 1.0, 4.0, source.pid)
        print(json.dumps(asyncio.run(step)))


if __name__ == "__main__":
    main()
