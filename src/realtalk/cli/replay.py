"""``realtalk replay FILE``: print a wire recording as a readable timeline.

::

         0.0 ms  #0  •  connect ws://127.0.0.1:8765/ws/...BidiGenerateContent?key=***
         0.4 ms  #0  →  setup models/gemini-live-2.5-flash resumable
        81.2 ms  #0  ←  setupComplete
        95.0 ms  #0  →  realtimeInput.audio 640 B @16kHz
       310.6 ms  #0  ←  serverContent modelTurn audio 1920 B
       402.1 ms  #0  ←  toolCall get_weather(city=Berlin)
      1204.9 ms  #0  •  close 1000 by client

Lines the tool cannot read are shown as such; a summary follows the timeline.
"""

from __future__ import annotations

from typing import TextIO

from realtalk.testing import (
    BadLine,
    Frame,
    LifecycleEvent,
    Recording,
    describe_client_frame,
    describe_server_frame,
    read_recording,
)

__all__ = ["format_entry", "run_replay"]

_ARROWS = {"send": "→", "recv": "←"}


def _event_summary(entry: LifecycleEvent) -> str:
    if entry.event == "connect":
        return f"connect {entry.fields.get('url', '')}".rstrip()
    if entry.event == "close":
        code = entry.code if entry.code is not None else "(no code)"
        text = f"close {code}"
        if entry.reason:
            text += f" {entry.reason!r}"
        by = entry.fields.get("by")
        return text + (f" by {by}" if isinstance(by, str) else "")
    details = " ".join(f"{k}={v}" for k, v in entry.fields.items())
    return f"{entry.event} {details}".rstrip()


def format_entry(entry: Frame | LifecycleEvent | BadLine, origin: float = 0.0) -> str:
    """Format one recording entry as a timeline line.

    Args:
        entry: The entry.
        origin: The time (seconds) shown as 0 ms.

    Returns:
        The line, without a newline.
    """
    if isinstance(entry, BadLine):
        shown = entry.text if len(entry.text) <= 60 else entry.text[:59] + "…"
        return f"{'':>10}     line {entry.line}: unreadable ({entry.problem}): {shown}"
    stamp = f"{(entry.t - origin) * 1000:>10.1f} ms  #{entry.conn:<2}"
    if isinstance(entry, LifecycleEvent):
        return f"{stamp} •  {_event_summary(entry)}"
    if entry.direction == "send":
        summary = describe_client_frame(entry.data)
    else:
        summary = describe_server_frame(entry.data)
    return f"{stamp} {_ARROWS[entry.direction]}  {summary}"


def _summary(recording: Recording) -> list[str]:
    frames = recording.frames
    sent = [f for f in frames if f.direction == "send"]
    received = [f for f in frames if f.direction == "recv"]
    times = [e.t for e in recording.entries if not isinstance(e, BadLine)]
    duration = max(times) - min(times) if times else 0.0
    lines = [
        "summary:",
        f"  connections: {len(recording.connections())}",
        f"  sent:        {len(sent)} frames, {sum(f.size for f in sent):,} B",
        f"  received:    {len(received)} frames, {sum(f.size for f in received):,} B",
        f"  duration:    {duration:.3f} s",
    ]
    bad = sum(isinstance(e, BadLine) for e in recording.entries)
    if bad:
        lines.append(f"  unreadable:  {bad} line{'s' if bad != 1 else ''}")
    return lines


def run_replay(path: str, out: TextIO, err: TextIO | None = None) -> int:
    """Print the timeline of the recording at ``path``.

    Args:
        path: The recording file.
        out: Where the timeline goes.
        err: Where errors go (default: ``out``).

    Returns:
        0 on success; 2 when the file cannot be read or is not a recording at all.
    """
    err = err if err is not None else out
    try:
        recording = read_recording(path)
    except FileNotFoundError:
        print(f"realtalk replay: no such file: {path}", file=err)
        return 2
    except OSError as exc:
        print(f"realtalk replay: cannot read {path}: {exc.strerror or exc}", file=err)
        return 2
    valid = [e for e in recording.entries if not isinstance(e, BadLine)]
    if recording.header is None and not valid:
        print(f"realtalk replay: {path} is not a realtalk recording", file=err)
        return 2
    if recording.header is not None:
        head = recording.header
        print(f"recording v{head.version} of {head.provider}, started {head.started}", file=out)
    origin = min((e.t for e in valid), default=0.0)
    for entry in recording.entries:
        print(format_entry(entry, origin), file=out)
    for line in _summary(recording):
        print(line, file=out)
    return 0
