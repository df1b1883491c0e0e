"""The measurements, run inside a worker process (see :mod:`bench.worker`).

CPU figures are the worker process's own CPU time (``time.process_time()``: user +
system, all threads) over the measured window divided by the number of messages,
with nothing subtracted. Each function measures once; the driver repeats them in
interleaved rounds.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench.clients import Client, Recorder, Target, make_client
from realtalk.audio import synthesize

__all__ = [
    "CHUNKS",
    "CHUNK_20MS",
    "capacity_step",
    "flood_once",
    "idle",
    "open_warm",
    "proc_cpu",
    "rss_kb",
    "send_once",
]

#: One 20 ms chunk of 16 kHz 16-bit mono PCM (640 bytes) of speech-like audio.
CHUNK_20MS = synthesize("hello there", 16000)[:640]
#: 20 ms chunks by input sample rate (OpenAI Realtime: 24 kHz, 960 bytes).
CHUNKS = {16000: CHUNK_20MS, 24000: synthesize("hello there", 24000)[:960]}
#: PCM bytes in one 40 ms chunk of 24 kHz output audio.
OUTPUT_CHUNK = 1920
_SEND_PERIOD = 0.02
_RECV_PERIOD = 0.04


def rss_kb() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in KiB."""
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                values[key] = int(value.split()[0])
    return values["VmRSS"], values["VmHWM"]


def proc_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` (0.0 if unknown)."""
    if not pid:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _timed(run: Callable[[], Awaitable[Any]], profiler: Any) -> tuple[Any, float, float]:
    """Run ``run()``; return (its result, CPU seconds, wall seconds)."""
    gc.collect()
    if profiler is not None:
        profiler.enable()
    cpu, wall = time.process_time(), time.perf_counter()
    result = await run()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if profiler is not None:
        profiler.disable()
    return result, cpu, wall


async def open_warm(name: str, target: Target) -> Client:
    """Open one session and warm it up (a short flood of each kind, a few sends)."""
    client = make_client(name, target)
    await client.open()
    for kind in ("audio", "transcript"):
        await client.command(f"flood {kind} 200")
        await client.drain_turn()
    pcm = CHUNKS[client.input_rate]
    for _ in range(200):
        await client.send_audio(pcm)
    await client.command("sync")
    await client.drain_turn()
    return client


async def flood_once(client: Client, kind: str, count: int, profiler: Any) -> dict[str, Any]:
    """CPU per received message while the source floods ``count`` messages of ``kind``."""

    async def run() -> tuple[int, int, int]:
        await client.command(f"flood {kind} {count}")
        return await client.drain_turn()

    client.lost = 0
    (audio, transcripts, size), cpu, wall = await _timed(run, profiler)
    got = audio if kind == "audio" else transcripts
    if got + client.lost != count or (kind == "audio" and size != got * OUTPUT_CHUNK):
        raise RuntimeError(f"{client.name}: expected {count} {kind} messages, got {got}")
    return {
        "n": count,
        "us": cpu / count * 1e6,
        "util": cpu / wall,
        "rate": count / wall,
        "lost": client.lost / count,
    }


async def send_once(client: Client, count: int, profiler: Any) -> dict[str, Any]:
    """CPU per sent 20 ms chunk: ``count`` chunks as fast as possible, then ``sync``."""

    pcm = CHUNKS[client.input_rate]

    async def run() -> None:
        for _ in range(count):
            await client.send_audio(pcm)
        await client.command("sync")
        await client.drain_turn()

    _, cpu, wall = await _timed(run, profiler)
    return {"n": count, "us": cpu / count * 1e6, "util": cpu / wall, "rate": count / wall}


async def idle(name: str, target: Target, count: int) -> dict[str, Any]:
    """Resident memory per idle open session: (RSS with ``count`` open - before) / count.

    Run it in a fresh process. One session is opened and closed first so imports,
    SSL contexts and caches are not counted as per-session costs.
    """
    warm = make_client(name, target)
    await warm.open()
    await warm.close()
    gc.collect()
    await asyncio.sleep(0.2)
    before, _ = rss_kb()
    clients: list[Client] = []
    try:
        for _ in range(count):
            client = make_client(name, target)
            await client.open()
            clients.append(client)
        await asyncio.sleep(0.5)
        gc.collect()
        after, peak = rss_kb()
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    return {
        "n": count,
        "kb": (after - before) / count,
        "rss_before_kb": before,
        "rss_after_kb": after,
        "hwm_kb": peak,
    }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return math.inf
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _sender(client: Client, start: float, late: list[float], rec: Recorder) -> None:
    """Send a 20 ms chunk every 20 ms from ``start`` (catching up in a burst when late)."""
    loop = asyncio.get_running_loop()
    k, pcm = 0, CHUNKS[client.input_rate]
    while True:
        due = start + k * _SEND_PERIOD
        wait = due - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        if rec.on:
            late.append(loop.time() - due)
        await client.send_audio(pcm)
        k += 1


async def _open_all(name: str, target: Target, count: int) -> list[Client]:
    clients = [make_client(name, target) for _ in range(count)]
    for i in range(0, count, 16):  # a few handshakes at a time
        await asyncio.gather(*(c.open() for c in clients[i : i + 16]))
    return clients


async def capacity_step(
    name: str,
    target: Target,
    sessions: int,
    settle: float,
    window: float,
    server_pid: int | None,
    profiler: Any = None,
) -> dict[str, Any]:
    """Run ``sessions`` duplex real-time sessions; lateness over ``window`` after ``settle``.

    Each session asks the source for paced 40 ms audio and sends a 20 ms chunk every
    20 ms; sessions are phased evenly over the period. Lateness = the time the
    client's code holds the decoded chunk - the time the source scheduled it.
    A step passes when p99 lateness < 20 ms and >= 95 % of the due chunks arrived.
    """
    loop = asyncio.get_running_loop()
    clients = await _open_all(name, target, sessions)
    rec, send_late = Recorder(), []
    start = loop.time() + 0.05
    senders: list[asyncio.Task[None]] = []

    async def session(i: int, client: Client) -> None:
        await asyncio.sleep(max(0.0, start + i * _RECV_PERIOD / sessions - loop.time()))
        await client.command(f"pace audio {settle + window + 5.0:.2f}")
        phase = start + i * _SEND_PERIOD / sessions
        senders.append(asyncio.create_task(_sender(client, phase, send_late, rec)))
        await client.paced(rec)

    receivers = [asyncio.create_task(session(i, c)) for i, c in enumerate(clients)]
    await asyncio.sleep(start - loop.time() + _RECV_PERIOD + settle)
    cpu, wall, server = time.process_time(), time.perf_counter(), proc_cpu(server_pid)
    if profiler is not None:
        profiler.enable()
    rec.on = True
    await asyncio.sleep(window)
    rec.on = False
    if profiler is not None:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    server = proc_cpu(server_pid) - server
    for task in senders:
        task.cancel()
    await asyncio.gather(*senders, return_exceptions=True)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(30):
            await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    for task in receivers:
        task.cancel()
    await asyncio.gather(*receivers, return_exceptions=True)
    gc.collect()
    expected = sessions * wall / _RECV_PERIOD
    received = len(rec.late) / expected if expected else 0.0
    p99 = _percentile(rec.late, 0.99)
    return {
        "sessions": sessions,
        "p50_ms": _percentile(rec.late, 0.50) * 1e3,
        "p99_ms": p99 * 1e3,
        "max_ms": max(rec.late, default=math.inf) * 1e3,
        "source_p99_ms": _percentile(rec.server_late, 0.99) * 1e3,
        "send_p99_ms": _percentile(send_late, 0.99) * 1e3,
        "received": received,
        "client_util": cpu / wall,
        "source_util": server / wall,
        "ok": p99 < 0.020 and received >= 0.95,
    }
