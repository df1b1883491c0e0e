"""Markdown report of one ``python -m bench`` run: machine, figures, ratios, targets."""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.run import Results

__all__ = ["render"]

LABELS = {
    "realtalk": "realtalk",
    "realtalk-cafile": "realtalk, `ca_file=` (one SSLContext per session)",
    "realtalk-ring64k": "realtalk, `ring_size=65536`",
    "msgspec": "floor B: websockets + msgspec Struct",
    "orjson": "floor A: websockets + orjson + b64decode",
    "genai": "google-genai (`client.aio.live`)",
    "oa-realtalk": 'realtalk (`connect("openai")`)',
    "oa-msgspec": "floor B: websockets + msgspec tagged union",
    "oa-orjson": "floor A: websockets + orjson + b64decode",
    "oa-openai": "openai (`AsyncOpenAI().realtime.connect`)",
}
ORDER = ["realtalk", "realtalk-ring64k", "msgspec", "orjson", "genai", "realtalk-cafile"]
OA_ORDER = ["oa-realtalk", "oa-msgspec", "oa-orjson", "oa-openai"]


def _us(res: Results, client: str, transport: str, metric: str) -> float | None:
    summary = res.cpu_summary(f"{client} {transport}", metric)
    return None if summary is None else summary["median"]


def _cell(res: Results, client: str, transport: str, metric: str) -> str:
    summary = res.cpu_summary(f"{client} {transport}", metric)
    if summary is None:
        return "n/a"
    runs = res.cpu.get(f"{client} {transport}", {}).get(metric, [])
    lost = max((r.get("lost", 0.0) for r in runs), default=0.0)
    text = f"{summary['median']:.1f} ({summary['min']:.1f})"
    return text + (f" ⚠ lost {lost:.0%}" if lost else "")


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def _paired(res: Results, a: str, b: str, metric: str) -> tuple[float | None, float | None]:
    """(median of the per-round ratios a/b, ratio of the minima) for one metric."""
    runs_a = res.cpu.get(a, {}).get(metric, [])
    runs_b = res.cpu.get(b, {}).get(metric, [])
    pairs = [
        x["us"] / y["us"] for x, y in zip(runs_a, runs_b, strict=False) if "us" in x and "us" in y
    ]
    if not pairs:
        return None, None
    median = statistics.median(pairs)
    sa, sb = res.cpu_summary(a, metric), res.cpu_summary(b, metric)
    minima = _ratio(sa["min"] if sa else None, sb["min"] if sb else None)
    return median, minima


def _fmt(value: float | None, suffix: str = "x") -> str:
    return "n/a" if value is None else f"{value:.2f}{suffix}"


def _target_row(
    name: str, value: float | None, goal: str, ok: bool | None, unit: str, minima: str = ""
) -> str:
    verdict = "n/a" if ok is None else ("**met**" if ok else "**missed**")
    return f"| {name} | {_fmt(value, unit)} | {minima} | {goal} | {verdict} |"


def _machine(res: Results) -> list[str]:
    m = res.machine
    packages = ", ".join(f"{k} {v}" for k, v in m["packages"].items())
    plan = res.plan
    return [
        "## Machine",
        "",
        f"- {m['nproc']} CPUs ({m['cpu']}), {m['os']}, {m['implementation']} {m['python']}",
        f"- {packages}",
        f"- command: `{'; '.join(res.commands)}` ({res.seconds:.0f} s)",
        f"- plan: {plan.rounds} interleaved rounds (OpenAI: {plan.oa_rounds}) of "
        f"{plan.audio} audio / {plan.transcripts} "
        f"transcript messages received and {plan.sends} chunks sent per client "
        f"(google-genai and openai: {plan.slow_divisor}x fewer); "
        f"{plan.idle_sessions} idle sessions; "
        f"Gemini floods from the {getattr(res, 'flood_source', 'emulator')} source; "
        f"real-time steps of {plan.settle:g} s settle + {plan.window:g} s window "
        f"against the {res.capacity_source} source (OpenAI: bench.flood_openai) "
        "(a late step is retried once); "
        f"client event loop: {res.loop}",
        "",
    ]


def _cpu_tables(res: Results, order: list[str] = ORDER, level: str = "##") -> list[str]:
    clients = [c for c in order if any(k.startswith(c + " ") for k in res.cpu)]
    if not clients:
        return []
    lines = [
        f"{level} Client CPU per message (µs; median of the rounds, minimum in parentheses)",
        "",
        "| client | audio in, ws | audio in, wss | transcript in, ws | transcript in, wss "
        "| audio out, ws | audio out, wss |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for client in clients:
        cells = [
            _cell(res, client, t, m) for m in ("audio", "transcript", "send") for t in ("ws", "wss")
        ]
        lines.append(f"| {LABELS[client]} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def _idle_table(res: Results, order: list[str] = ORDER, level: str = "##") -> list[str]:
    if not any(k.rsplit(" ", 1)[0] in order for k in res.idle):
        return []
    lines = [
        f"{level} Memory per idle session (KB of RSS)",
        "",
        "| client | ws | wss |",
        "|---|---:|---:|",
    ]
    for client in order:
        cells = []
        for transport in ("ws", "wss"):
            found = res.idle.get(f"{client} {transport}")
            cells.append("n/a" if not found or "kb" not in found else f"{found['kb']:.1f}")
        if any(c != "n/a" for c in cells):
            lines.append(f"| {LABELS[client]} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def _capacity_table(res: Results, order: list[str] = ORDER, level: str = "##") -> list[str]:
    found_keys = [k for k in res.capacity if k.rsplit(" ", 1)[0] in order]
    if not found_keys:
        return []
    lines = [
        f"{level} Real-time duplex sessions on one core (p99 lateness < 20 ms)",
        "",
        "| client | transport | sessions | first late | p99 at best (ms) | client CPU "
        "| source CPU | steps (n: p99 ms) |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for key in found_keys:
        found = res.capacity[key]
        client, transport = key.rsplit(" ", 1)
        best = next(
            (s for s in found["steps"] if s.get("sessions") == found["sessions"] and s.get("ok")),
            None,
        )
        cols = ["-", "-", "-"]
        if best is not None:
            cols = [
                f"{best['p99_ms']:.1f}",
                f"{best['client_util']:.0%}",
                f"{best['source_util']:.0%}",
            ]
        steps = ", ".join(
            f"{s['sessions']}: {s.get('p99_ms', float('nan')):.0f}{'' if s.get('ok') else ' ✗'}"
            for s in found["steps"]
        )
        first = "-" if found["first_late"] is None else str(found["first_late"])
        cells = [LABELS[client], transport, str(found["sessions"]), first, *cols, steps]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def _targets(res: Results, p: str = "", level: str = "##") -> list[str]:
    """The target rows; ``p`` is the client-name prefix of the provider (``oa-``)."""
    sdk, sdk_name = ("oa-openai", "openai client") if p else ("genai", "google-genai")
    if not any(k.startswith(p + "realtalk ") for k in (*res.cpu, *res.idle, *res.capacity)):
        return []
    rows = [
        f"{level} Targets",
        "",
        "CPU ratios: median of the per-round ratios (the two clients measured seconds apart),",
        "then the ratio of the two minima. The verdict uses the first.",
        "",
        "| ratio | measured | of minima | target | |",
        "|---|---:|---:|---:|---|",
    ]

    def cpu_row(name: str, a: str, b: str, metric: str, goal: float, above: bool) -> None:
        value, minima = _paired(res, a, b, metric)
        ok = None if value is None else (value >= goal if above else value <= goal)
        lost = max(
            (r.get("lost", 0.0) for k in (a, b) for r in res.cpu.get(k, {}).get(metric, [])),
            default=0.0,
        )
        if lost:  # cheaper because events were dropped: not a pass
            name, ok = f"{name} (events lost: up to {lost:.0%})", False
        sign = "≥" if above else "≤"
        rows.append(_target_row(name, value, f"{sign} {goal:g}x", ok, "x", _fmt(minima)))

    for transport in ("ws", "wss"):
        for metric in ("audio", "transcript"):
            cpu_row(
                f"realtalk / msgspec floor, {metric} receive CPU, {transport}",
                f"{p}realtalk {transport}",
                f"{p}msgspec {transport}",
                metric,
                1.0,
                above=False,
            )
    for transport in ("ws", "wss") if not p else ():
        cpu_row(
            f"realtalk ring_size=65536 / msgspec floor, transcript receive CPU, {transport}",
            f"realtalk-ring64k {transport}",
            f"msgspec {transport}",
            "transcript",
            1.0,
            above=False,
        )
    for transport in ("ws", "wss") if p else ("wss",):
        for metric in ("audio", "transcript", *(("send",) if p else ())):
            cpu_row(
                f"{sdk_name} / realtalk, "
                f"{'audio send' if metric == 'send' else metric + ' receive'} CPU, {transport}",
                f"{sdk} {transport}",
                f"{p}realtalk {transport}",
                metric,
                9.0,
                above=True,
            )
    for transport in ("ws", "wss"):
        cpu_row(
            f"realtalk / raw f-string floor, send CPU, {transport}",
            f"{p}realtalk {transport}",
            f"{p}orjson {transport}",
            "send",
            1.0,
            above=False,
        )
    cap = res.capacity
    if f"{p}realtalk ws" in cap and f"{p}orjson ws" in cap:
        mine, floor = cap[f"{p}realtalk ws"]["sessions"], cap[f"{p}orjson ws"]["sessions"]
        r = _ratio(float(mine), float(floor)) if floor else None
        rows.append(
            _target_row(
                "realtalk / orjson floor, real-time sessions per core, ws",
                r,
                "≥ 2x",
                None if r is None else r >= 2.0,
                "x",
            )
        )
    for transport in ("ws", "wss"):
        found = res.idle.get(f"{p}realtalk {transport}")
        if found and "kb" in found:
            rows.append(
                _target_row(
                    f"realtalk idle session, {transport}",
                    found["kb"],
                    "≤ 50 KB",
                    found["kb"] <= 50,
                    " KB",
                )
            )
    rows.append("")
    return rows


def render(res: Results) -> str:
    """The whole report as Markdown."""
    lines = ["# realtalk benchmark run", ""]
    lines += _machine(res)
    if res.cpu:
        lines += _cpu_tables(res)
    lines += _idle_table(res)
    lines += _capacity_table(res)
    lines += _targets(res)
    openai = [
        *_cpu_tables(res, OA_ORDER, "###"),
        *_idle_table(res, OA_ORDER, "###"),
        *_capacity_table(res, OA_ORDER, "###"),
        *_targets(res, "oa-", "###"),
    ]
    if openai:
        lines += ["## OpenAI Realtime path", "", *openai]
    if res.errors:
        lines += ["## Errors", "", *(f"- {e}" for e in res.errors), ""]
    return "\n".join(lines)
