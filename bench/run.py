"""The driver behind ``python -m bench``: sources, workers, rounds, report.

Layout of one run (2 CPUs: the flood sources on CPU 1, every measuring worker on
CPU 0, so a client's CPU time is its own):

1. Two flood sources (:class:`realtalk.emulator.flood.FloodEmulator`), ``ws://`` and
   ``wss://``, each in its own process.
2. Receive and send CPU: one long-lived worker process per (transport, client);
   the measurements run in interleaved rounds (every worker once per round), so
   slow phases of a noisy host hit every client alike. Median and minimum are kept.
3. Idle memory: one fresh worker per (transport, client).
4. Real-time capacity, against two lean paced sources (:mod:`bench.lean`; or
   FloodEmulator with ``--capacity-source emulator``): one worker per client; the
   searches (doubling, then bisection) advance in lockstep, one step per client in turn.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.report import render
from bench.server import ROOT, SourceProcess

__all__ = ["main"]

RECEIVERS = [
    ("ws", "realtalk"),
    ("ws", "realtalk-ring64k"),
    ("ws", "msgspec"),
    ("ws", "orjson"),
    ("wss", "realtalk"),
    ("wss", "realtalk-ring64k"),
    ("wss", "msgspec"),
    ("wss", "orjson"),
    ("wss", "genai"),
]
IDLE = [*(r for r in RECEIVERS if r[1] != "realtalk-ring64k"), ("wss", "realtalk-cafile")]
CAPACITY = [("ws", "realtalk"), ("ws", "orjson"), ("wss", "genai"), ("wss", "realtalk")]
#: The OpenAI Realtime path (``--provider openai``), against :mod:`bench.flood_openai`.
OA_RECEIVERS = [
    (transport, client)
    for transport in ("ws", "wss")
    for client in ("oa-realtalk", "oa-msgspec", "oa-orjson", "oa-openai")
]
OA_IDLE = list(OA_RECEIVERS)
OA_CAPACITY = [("ws", "oa-realtalk"), ("ws", "oa-orjson")]
SLOW = {"genai", "oa-openai"}  # official SDKs: fewer messages per round, smaller start


@dataclass(frozen=True)
class Plan:
    """Sizes of one run."""

    rounds: int
    audio: int
    transcripts: int
    sends: int
    slow_divisor: int  # the official SDK gets this many times fewer messages per round
    idle_sessions: int
    settle: float
    window: float
    capacity_steps: int
    capacity_clients: tuple[tuple[str, str], ...]
    resolution: float  # bisection stops when (first late - last ok) <= this fraction
    oa_rounds: int = 5
    oa_capacity_clients: tuple[tuple[str, str], ...] = tuple(OA_CAPACITY)

    @classmethod
    def full(cls) -> Plan:
        return cls(9, 10000, 20000, 10000, 10, 200, 0.75, 2.5, 8, tuple(CAPACITY), 0.1, 5)

    @classmethod
    def quick(cls) -> Plan:
        return cls(3, 4000, 8000, 4000, 8, 50, 0.75, 1.5, 6, tuple(CAPACITY[:3]), 0.25, 3)


class WorkerProcess:
    """A :mod:`bench.worker` process for one client, driven line by line."""

    #: Event loop of every worker (``--loop``).
    loop = "asyncio"

    def __init__(self, client: str, url: str, ca_file: str | None, cpu: int | None) -> None:
        command = [sys.executable, "-m", "bench.worker", client, url, "--loop", self.loop]
        if ca_file:
            command += ["--ca", ca_file]
        if cpu is not None:
            command += ["--cpu", str(cpu)]
        self.client = client
        self._proc = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def ask(self, **command: Any) -> dict[str, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps(command) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"worker {self.client} died (exit {self._proc.wait()})")
        result: dict[str, Any] = json.loads(line)
        return result

    def close(self) -> None:
        if self._proc.poll() is None:
            with contextlib.suppress(RuntimeError, BrokenPipeError, json.JSONDecodeError):
                self.ask(op="quit")
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


@dataclass
class Results:
    machine: dict[str, Any]
    commands: list[str]
    plan: Plan
    cpu: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    idle: dict[str, dict[str, Any]] = field(default_factory=dict)
    capacity: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    capacity_source: str = "lean"
    flood_source: str = "lean"
    loop: str = "asyncio"

    def cpu_summary(self, key: str, metric: str) -> dict[str, float] | None:
        runs = [r["us"] for r in self.cpu.get(key, {}).get(metric, []) if "us" in r]
        if not runs:
            return None
        return {"median": statistics.median(runs), "min": min(runs), "n": len(runs)}


def key_of(transport: str, client: str) -> str:
    return f"{client} {transport}"


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def machine_info() -> dict[str, Any]:
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if "model name" in ln), "")
    except OSError:
        pass
    versions = {}
    for package in ("realtalk", "msgspec", "websockets", "orjson", "google-genai", "pydantic"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    return {
        "nproc": os.cpu_count(),
        "affinity": affinity,
        "cpu": model,
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "os": f"{platform.system()} {platform.release()}",
        "packages": versions,
    }


def cpus() -> tuple[int | None, int | None]:
    """(client CPU, source CPU): distinct CPUs when there are two, else no pinning."""
    if not hasattr(os, "sched_getaffinity"):
        return None, None
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return None, None
    return available[0], available[1]


def run_cpu(
    res: Results,
    sources: dict[str, SourceProcess],
    client_cpu: int | None,
    receivers: list[tuple[str, str]] = RECEIVERS,
    rounds: int | None = None,
) -> None:
    plan = res.plan
    rounds = plan.rounds if rounds is None else rounds
    workers = {}
    for transport, client in receivers:
        src = sources[transport]
        workers[key_of(transport, client)] = WorkerProcess(client, src.url, src.ca_file, client_cpu)
    try:
        for number in range(rounds):
            log(f"cpu round {number + 1}/{rounds}")
            # metric-major, so the clients compared are measured moments apart; the
            # order flips every round so a drifting host favours nobody
            order = list(workers.items())
            if number % 2:
                order.reverse()
            for metric in ("audio", "transcript", "send"):
                for key, worker in order:
                    slow = plan.slow_divisor if worker.client in SLOW else 1
                    if metric == "send":
                        command = {"op": "send", "n": plan.sends // slow}
                    else:
                        size = plan.audio if metric == "audio" else plan.transcripts
                        command = {"op": "flood", "kind": metric, "n": size // slow}
                    result = worker.ask(**command)
                    if "error" in result:
                        res.errors.append(f"{key} {metric}: {result['error']}")
                    res.cpu.setdefault(key, {}).setdefault(metric, []).append(result)
    finally:
        for worker in workers.values():
            worker.close()


def run_idle(
    res: Results,
    sources: dict[str, SourceProcess],
    client_cpu: int | None,
    clients: list[tuple[str, str]] = IDLE,
) -> None:
    for transport, client in clients:
        src = sources[transport]
        worker = WorkerProcess(client, src.url, src.ca_file, client_cpu)
        try:
            result = worker.ask(op="idle", n=res.plan.idle_sessions)
        finally:
            worker.close()
        key = key_of(transport, client)
        if "error" in result:
            res.errors.append(f"{key} idle: {result['error']}")
        else:
            log(f"idle {key}: {result['kb']:.1f} KB/session")
        res.idle[key] = result


@dataclass
class Search:
    """Doubling then bisection for the largest passing session count."""

    start: int
    limit: int
    max_steps: int
    resolution: float
    good: int = 0
    bad: int | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)

    def next(self) -> int | None:
        if len(self.steps) >= self.max_steps:
            return None
        if self.bad is None:
            n = max(self.start, self.good * 2)
            return n if n <= self.limit else None
        if self.bad - self.good <= max(2, int(self.good * self.resolution)):
            return None
        return (self.good + self.bad) // 2

    def record(self, n: int, result: dict[str, Any]) -> None:
        self.steps.append(result)
        if result.get("ok"):
            self.good = max(self.good, n)
        else:
            self.bad = n if self.bad is None else min(self.bad, n)


def run_capacity(
    res: Results,
    sources: dict[str, SourceProcess],
    client_cpu: int | None,
    clients: tuple[tuple[str, str], ...] | None = None,
) -> None:
    plan = res.plan
    searches, workers = {}, {}
    for transport, client in plan.capacity_clients if clients is None else clients:
        key = key_of(transport, client)
        src = sources[transport]
        workers[key] = WorkerProcess(client, src.url, src.ca_file, client_cpu)
        start = 10 if client in SLOW else 50
        searches[key] = Search(start, 3200, plan.capacity_steps, plan.resolution)

    def step(key: str, n: int) -> dict[str, Any]:
        transport = key.rsplit(" ", 1)[1]
        result = workers[key].ask(
            op="capacity_step",
            n=n,
            settle=plan.settle,
            window=plan.window,
            source_pid=sources[transport].pid,
        )
        if "error" in result:
            res.errors.append(f"{key} capacity n={n}: {result['error']}")
            return {"sessions": n, "ok": False, "error": result["error"]}
        log(
            f"capacity {key} n={n}: p99 {result['p99_ms']:.1f} ms (source "
            f"{result['source_p99_ms']:.1f}, sends {result['send_p99_ms']:.1f}), received "
            f"{result['received']:.0%}, client CPU {result['client_util']:.0%}, "
            f"source CPU {result['source_util']:.0%} -> {'ok' if result['ok'] else 'late'}"
        )
        return result

    try:
        pending = dict(searches)
        while pending:
            for key in list(pending):
                search = pending[key]
                n = search.next()
                if n is None:
                    del pending[key]
                    continue
                result = step(key, n)
                if not result["ok"] and "error" not in result:
                    result = step(key, n) | {"retried": True}  # a host hiccup must not decide
                search.record(n, result)
    finally:
        for worker in workers.values():
            worker.close()
    for key, search in searches.items():
        res.capacity[key] = {
            "sessions": search.good,
            "first_late": search.bad,
            "steps": search.steps,
        }


def run_profiles(
    directory: Path, flood: SourceProcess, paced: SourceProcess, client_cpu: int | None, n: int
) -> None:
    """cProfile the hot paths of realtalk and the two floors over ws:// (``--profile DIR``)."""
    directory.mkdir(parents=True, exist_ok=True)
    for client in ("realtalk", "msgspec", "orjson"):
        jobs: list[tuple[str, SourceProcess, dict[str, Any]]] = [
            ("audio", flood, {"op": "flood", "kind": "audio", "n": 20000}),
            ("transcript", flood, {"op": "flood", "kind": "transcript", "n": 40000}),
            ("send", flood, {"op": "send", "n": 20000}),
        ]
        step = {"op": "capacity_step", "n": n, "settle": 1.0, "window": 3.0}
        jobs.append(("realtime", paced, step | {"source_pid": paced.pid}))
        for name, src, command in jobs:
            worker = WorkerProcess(client, src.url, src.ca_file, client_cpu)
            try:
                path = directory / f"{client}-{name}.txt"
                result = worker.ask(profile=str(path), **command)
                log(f"profile {client} {name}: {json.dumps(result)[:200]} -> {path}")
            finally:
                worker.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="realtalk vs google-genai vs raw floors against the same flood source.",
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes (about 2.5 min)")
    parser.add_argument(
        "--provider",
        choices=["gemini", "openai", "both"],
        default="both",
        help="which live API path to measure (default: both)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=["cpu", "idle", "capacity"],
        help="run only these parts (repeatable)",
    )
    parser.add_argument(
        "--capacity-source",
        choices=["lean", "emulator"],
        default="lean",
        help="source of the real-time test: the lean paced source (default) or FloodEmulator",
    )
    parser.add_argument(
        "--flood-source",
        choices=["lean", "emulator"],
        default="lean",
        help="Gemini source of the CPU and memory tests: the lean source, which writes 32"
        " frames per write (default), or FloodEmulator, which writes one",
    )
    parser.add_argument(
        "--loop",
        choices=["asyncio", "uvloop"],
        default="asyncio",
        help="event loop of the measured clients (uvloop must be importable)",
    )
    parser.add_argument("--out", type=Path, help="also write the Markdown report here")
    parser.add_argument("--json", type=Path, help="write the raw figures as JSON here")
    parser.add_argument(
        "--profile", type=Path, metavar="DIR", help="only write cProfile reports to DIR"
    )
    parser.add_argument(
        "--profile-sessions", type=int, default=200, help="sessions in the profiled step"
    )
    args = parser.parse_args(argv)
    plan = Plan.quick() if args.quick else Plan.full()
    parts = set(args.only or ["cpu", "idle", "capacity"])
    WorkerProcess.loop = args.loop
    client_cpu, source_cpu = cpus()
    began = time.perf_counter()
    command = " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])])
    res = Results(machine_info(), [command], plan, loop=args.loop)
    log(f"client CPU {client_cpu}, source CPU {source_cpu}")
    if args.profile is not None:
        with (
            SourceProcess(tls=False, cpu=source_cpu) as flood,
            SourceProcess(tls=False, cpu=source_cpu, lean=True) as paced,
        ):
            run_profiles(args.profile, flood, paced, client_cpu, args.profile_sessions)
        return
    if args.provider in ("gemini", "both"):
        res.flood_source = args.flood_source
        run_gemini(res, parts, args.capacity_source, client_cpu, source_cpu)
    if args.provider in ("openai", "both"):
        run_openai(res, parts, client_cpu, source_cpu)
    res.seconds = time.perf_counter() - began
    report = render(res)
    print(report)
    if args.out is not None:
        args.out.write_text(report)
    if args.json is not None:
        args.json.write_text(json.dumps(res.__dict__, default=lambda o: o.__dict__, indent=1))


def run_openai(
    res: Results, parts: set[str], client_cpu: int | None, source_cpu: int | None
) -> None:
    """The OpenAI Realtime path: one source per transport serves every part."""
    with (
        SourceProcess(tls=False, cpu=source_cpu, openai=True) as ws,
        SourceProcess(tls=True, cpu=source_cpu, openai=True) as wss,
    ):
        sources = {"ws": ws, "wss": wss}
        if "cpu" in parts:
            run_cpu(res, sources, client_cpu, OA_RECEIVERS, res.plan.oa_rounds)
        if "idle" in parts:
            run_idle(res, sources, client_cpu, OA_IDLE)
        if "capacity" in parts:
            run_capacity(res, sources, client_cpu, res.plan.oa_capacity_clients)


def run_gemini(
    res: Results,
    parts: set[str],
    capacity_source: str,
    client_cpu: int | None,
    source_cpu: int | None,
) -> None:
    if parts & {"cpu", "idle"}:
        flood_lean = res.flood_source == "lean"
        with (
            SourceProcess(tls=False, cpu=source_cpu, lean=flood_lean) as ws,
            SourceProcess(tls=True, cpu=source_cpu, lean=flood_lean) as wss,
        ):
            sources = {"ws": ws, "wss": wss}
            if "cpu" in parts:
                run_cpu(res, sources, client_cpu)
            if "idle" in parts:
                run_idle(res, sources, client_cpu)
    if "capacity" in parts:
        lean = capacity_source == "lean"
        res.capacity_source = capacity_source
        with (
            SourceProcess(tls=False, cpu=source_cpu, lean=lean) as ws,
            SourceProcess(tls=True, cpu=source_cpu, lean=lean) as wss,
        ):
            run_capacity(res, {"ws": ws, "wss": wss}, client_cpu)
