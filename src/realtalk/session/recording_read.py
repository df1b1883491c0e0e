"""Reading wire recordings back into typed entries (format: :mod:`.recording`).

Used by :mod:`realtalk.testing` for replay and by ``realtalk replay``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeGuard

from realtalk.errors import ProtocolError

__all__ = [
    "RECORDING_VERSION",
    "BadLine",
    "Entry",
    "Frame",
    "Header",
    "LifecycleEvent",
    "Recording",
    "parse_recording",
    "read_recording",
]

#: The format version written in the header line.
RECORDING_VERSION = 1


@dataclass(frozen=True, slots=True)
class Header:
    """The first line: format ``version``, ``provider``, ``started`` (ISO 8601) and ``extra``."""

    version: int
    provider: str
    started: str
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Frame:
    """One recorded WebSocket message.

    Attributes:
        direction: ``send`` (client to server) or ``recv`` (server to client).
        t: Seconds since the start of the recording.
        conn: The connection number.
        data: The payload as on the wire: ``str`` for a text frame, ``bytes`` for binary.
        line: The line number in the file (1-based).
    """

    direction: Literal["send", "recv"]
    t: float
    conn: int
    data: str | bytes
    line: int = 0

    @property
    def size(self) -> int:
        """The payload size in bytes."""
        return len(self.data.encode() if isinstance(self.data, str) else self.data)


@dataclass(frozen=True, slots=True)
class LifecycleEvent:
    """A recorded ``event`` line (``connect``, ``close``, ...); ``fields`` holds the rest
    (``url``, ``code``, ``reason``, ``by``, ...); ``line`` is the 1-based line number."""

    t: float
    conn: int
    event: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    line: int = 0

    @property
    def code(self) -> int | None:
        """The ``code`` field when it is an int, else None."""
        code = self.fields.get("code")
        return code if _is_int(code) else None

    @property
    def reason(self) -> str:
        """The ``reason`` field when it is a string, else ``""``."""
        reason = self.fields.get("reason")
        return reason if isinstance(reason, str) else ""


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line that could not be understood: its number, its ``text`` and the ``problem``."""

    line: int
    text: str
    problem: str


Entry = Frame | LifecycleEvent | BadLine


@dataclass(frozen=True, slots=True)
class Recording:
    """A parsed recording: the header (None if the first line is not one, when reading
    tolerantly) and the frames, lifecycle events and unreadable lines in file order."""

    header: Header | None
    entries: tuple[Entry, ...]

    @property
    def frames(self) -> list[Frame]:
        """The frames only."""
        return [e for e in self.entries if isinstance(e, Frame)]

    def connections(self) -> list[int]:
        """Connection numbers in order of first appearance."""
        seen: dict[int, None] = {}
        for entry in self.entries:
            if not isinstance(entry, BadLine):
                seen.setdefault(entry.conn, None)
        return list(seen)


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_header(obj: Any) -> Header | str:
    if not isinstance(obj, dict) or not _is_int(obj.get("realtalk_recording")):
        return "not a realtalk recording header"
    extra = {k: v for k, v in obj.items() if k not in ("realtalk_recording", "provider", "started")}
    provider, started = str(obj.get("provider", "")), str(obj.get("started", ""))
    return Header(obj["realtalk_recording"], provider, started, extra)


def _parse_entry(obj: Any, line: int) -> Frame | LifecycleEvent | str:
    if not isinstance(obj, dict):
        return "not a JSON object"
    direction, t, conn = obj.get("dir"), obj.get("t"), obj.get("conn")
    if isinstance(t, bool) or not isinstance(t, (int, float)):
        return "missing or invalid t"
    if isinstance(conn, bool) or not isinstance(conn, int):
        return "missing or invalid conn"
    if direction == "event":
        name = obj.get("event")
        if not isinstance(name, str):
            return "event line without an event name"
        rest = {k: v for k, v in obj.items() if k not in ("dir", "t", "conn", "event")}
        return LifecycleEvent(float(t), conn, name, rest, line)
    if direction not in ("send", "recv"):
        return f"unknown dir {direction!r}"
    data, text = obj.get("data"), obj.get("text")
    if not isinstance(data, str) or not isinstance(text, bool):
        return "frame without string data and boolean text"
    payload: str | bytes = data
    if obj.get("b64") is True:
        try:
            payload = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            return "invalid base64 data"
        if text:
            try:
                payload = payload.decode()
            except UnicodeDecodeError:
                return "text frame whose data is not UTF-8"
    elif not text:
        payload = data.encode()
    return Frame(direction, float(t), conn, payload, line)


def parse_recording(lines: Iterable[str], *, strict: bool = False) -> Recording:
    """Parse recording lines (see the module docstring for the format).

    Args:
        lines: The lines of a recording; blank lines are skipped.
        strict: Raise on the first problem instead of keeping it as a :class:`BadLine`.

    Returns:
        The recording.

    Raises:
        ProtocolError: With ``strict``: the first line is not a header, the version is
            not :data:`RECORDING_VERSION`, or a line cannot be parsed (the message
            names the line number).
    """
    header: Header | None = None
    entries: list[Entry] = []
    first = True
    for number, raw in enumerate(lines, start=1):
        text = raw.rstrip("\r\n")
        if not text.strip():
            continue
        try:
            obj: Any = json.loads(text)
        except ValueError:
            obj = None
        parsed: Header | Frame | LifecycleEvent | str
        if first:
            first = False
            parsed = _parse_header(obj)
            if isinstance(parsed, Header):
                if strict and parsed.version != RECORDING_VERSION:
                    raise ProtocolError(f"unsupported recording version {parsed.version}")
                header = parsed
                continue
        else:
            parsed = _parse_entry(obj, number)
        if isinstance(parsed, str):
            if strict:
                raise ProtocolError(f"recording line {number}: {parsed}")
            entries.append(BadLine(number, text, parsed))
        else:
            assert not isinstance(parsed, Header)
            entries.append(parsed)
    if strict and header is None:
        raise ProtocolError("not a realtalk recording: no header line")
    return Recording(header, tuple(entries))


def read_recording(path: str | os.PathLike[str], *, strict: bool = False) -> Recording:
    """Read a recording file written by :class:`Recorder`.

    Args:
        path: The file.
        strict: See :func:`parse_recording`.

    Returns:
        The recording.

    Raises:
        OSError: The file cannot be read (``FileNotFoundError`` when missing).
        ProtocolError: With ``strict``, the file is not a valid recording.
    """
    with open(path, encoding="utf-8", errors="replace") as file:
        return parse_recording(file, strict=strict)
