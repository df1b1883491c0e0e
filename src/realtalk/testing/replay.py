"""Replay a wire recording: play the server's side of it to a client under test.

::

    replay = ReplayServer.from_file("session.jsonl")
    connector = MemoryConnector(replay.handler)        # or: await serve(replay.handler)
    ...  # run the client against it
    assert replay.mismatches == []

Connection *k* accepted by :attr:`ReplayServer.handler` plays recorded connection *k*
(in order of first appearance in the recording). Its entries are replayed in
recording order, which is the order the client observed:

* a client frame (``send``): wait for the client's next frame; in strict mode compare
  it with the recorded one (see below);
* a server frame (``recv``): send it, as a text or binary frame like the original,
  optionally after the recorded gap divided by ``speed``;
* the ``close`` event: a server-initiated close is repeated (code and reason; an
  abort without a close frame for 1006); a client-initiated one (``"by": "client"``,
  or code 1000 when the recording does not say) is awaited from the client.

Comparison (strict mode) parses both frames as JSON and reports the first differing
path. Two differences are deliberately ignored or optional:

* ``setup.sessionResumption.handle``: its *value* is never compared (presence is).
  Handles are opaque tokens issued by the server; a client may legitimately resume
  with one it stored in an earlier run, and its behaviour does not depend on the value.
* ``ignore_media_data=True`` skips the base64 ``data`` of ``realtimeInput.audio``,
  ``.video`` and ``.mediaChunks``: live microphones and cameras never produce the same
  bytes twice, so replaying against a real capture pipeline needs it. MIME types and
  message structure are still compared. Off by default.

Frames that are not JSON are compared byte for byte. The frame type (text or binary)
must match too. On the first mismatch the connection is closed with 1008 and a reason
naming the difference, and a :class:`Mismatch` is appended to
:attr:`ReplayServer.mismatches`.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from realtalk.errors import ConnectionClosed
from realtalk.session.recording import Frame, LifecycleEvent, Recording, read_recording
from realtalk.transport.base import Connection, Handler, Request

__all__ = ["Mismatch", "ReplayServer", "compare_frames"]

_PLACEHOLDER = "<ignored>"
_MAX_REASON_BYTES = 123  # RFC 6455 §5.5: control frame payload ≤ 125 bytes, 2 for the code
_UNSENDABLE = frozenset({1004, 1005, 1006, 1015})

Step = Frame | LifecycleEvent


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A difference between what the client sent and what the recording expected.

    Attributes:
        conn: The connection number in the replay (0 = first connection accepted).
        index: The client frame's index within that connection (0 = the first).
        path: Where the first difference is: a JSON path (``setup.model``), or
            ``<frame>``, ``<frame type>``, ``<connection>``, ``<close>``.
        expected: A short rendering of what the recording has.
        actual: A short rendering of what the client did.
    """

    conn: int
    index: int
    path: str
    expected: str
    actual: str

    @property
    def message(self) -> str:
        """One line describing the mismatch."""
        return (
            f"connection {self.conn}, client frame {self.index}: {self.path}: "
            f"expected {self.expected}, got {self.actual}"
        )


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()


def _short(value: Any, limit: int = 40) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _as_json(data: str | bytes) -> tuple[bool, Any]:
    try:
        return True, json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return False, None


def _normalize(message: Any, ignore_media: bool) -> Any:
    """Replace the values that are not compared by a placeholder (copying as needed)."""
    if not isinstance(message, dict):
        return message
    message = dict(message)
    setup = message.get("setup")
    if isinstance(setup, dict):
        for key in ("sessionResumption", "session_resumption"):
            resumption = setup.get(key)
            if isinstance(resumption, dict) and "handle" in resumption:
                setup = {**setup, key: {**resumption, "handle": _PLACEHOLDER}}
        message["setup"] = setup
    realtime = message.get("realtimeInput", message.get("realtime_input"))
    if ignore_media and isinstance(realtime, dict):
        realtime = dict(realtime)
        for key in ("audio", "video"):
            blob = realtime.get(key)
            if isinstance(blob, dict) and "data" in blob:
                realtime[key] = {**blob, "data": _PLACEHOLDER}
        chunks = realtime.get("mediaChunks")
        if isinstance(chunks, list):
            realtime["mediaChunks"] = [
                {**c, "data": _PLACEHOLDER} if isinstance(c, dict) and "data" in c else c
                for c in chunks
            ]
        message["realtimeInput" if "realtimeInput" in message else "realtime_input"] = realtime
    return message


def _first_difference(expected: Any, actual: Any, path: str) -> tuple[str, Any, Any] | None:
    """Return (path, expected, actual) of the first difference, depth first."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in list(expected) + [k for k in actual if k not in expected]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in actual:
                return sub, expected[key], _MISSING
            if key not in expected:
                return sub, _MISSING, actual[key]
            found = _first_difference(expected[key], actual[key], sub)
            if found is not None:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            found = _first_difference(e, a, f"{path}[{i}]")
            if found is not None:
                return found
        if len(expected) != len(actual):
            return f"{path}.length", len(expected), len(actual)
        return None
    same = type(expected) is type(actual) and expected == actual
    return None if same else (path or "<frame>", expected, actual)


def compare_frames(
    expected: str | bytes, actual: str | bytes, *, ignore_media_data: bool = False
) -> tuple[str, str, str] | None:
    """Compare a recorded client frame with a received one.

    Args:
        expected: The recorded frame (``str`` = text frame, ``bytes`` = binary).
        actual: The received frame.
        ignore_media_data: Skip the base64 data of realtime audio/video input.

    Returns:
        None when they match, else ``(path, expected, actual)`` with short renderings.
    """
    ok_e, exp = _as_json(expected)
    ok_a, act = _as_json(actual)
    if ok_e and ok_a:
        found = _first_difference(
            _normalize(exp, ignore_media_data), _normalize(act, ignore_media_data), ""
        )
        if found is not None:
            return found[0], _short(found[1]), _short(found[2])
    else:
        raw_e = expected.encode() if isinstance(expected, str) else expected
        raw_a = actual.encode() if isinstance(actual, str) else actual
        if raw_e != raw_a:
            return "<frame>", _short(_as_text(expected)), _short(_as_text(actual))
    if isinstance(expected, str) != isinstance(actual, str):
        return "<frame type>", _kind(expected), _kind(actual)
    return None


def _kind(data: str | bytes) -> str:
    return "text" if isinstance(data, str) else "binary"


def _truncate_reason(text: str) -> str:
    data = text.encode()
    if len(data) <= _MAX_REASON_BYTES:
        return text
    return data[: _MAX_REASON_BYTES - 3].decode(errors="ignore") + "…"


def _scripts(recording: Recording) -> list[list[Step]]:
    """Per recorded connection (first-appearance order): its frames up to its close."""
    scripts: dict[int, list[Step]] = {n: [] for n in recording.connections()}
    closed: set[int] = set()
    for entry in recording.entries:
        if isinstance(entry, Frame) or (
            isinstance(entry, LifecycleEvent) and entry.event in ("connect", "close")
        ):
            if entry.conn in closed:
                continue
            scripts[entry.conn].append(entry)
            if isinstance(entry, LifecycleEvent) and entry.event == "close":
                closed.add(entry.conn)
    return list(scripts.values())


class ReplayServer:
    """Plays the server role of a recording (see the module docstring).

    Args:
        recording: The recording to play.
        strict: Compare every client frame with the recorded one; False only paces
            the replay by the client's frames.
        ignore_media_data: In strict mode, do not compare realtime audio/video bytes.
        speed: None (default) sends server frames without delay; a positive factor
            honours the recorded gaps divided by it (1.0 = real time, 2.0 = twice as fast).
        sleep: The sleep function used for ``speed`` (inject a fake one in tests).

    Raises:
        TypeError: ``recording`` is not a :class:`Recording`.
        ValueError: ``speed`` is not None or a positive finite number.

    Attributes:
        mismatches: Every mismatch found, in order.
        requests: The opening request of each connection served.
        completed: How many connections played their recording to the end.
    """

    def __init__(
        self,
        recording: Recording,
        *,
        strict: bool = True,
        ignore_media_data: bool = False,
        speed: float | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not isinstance(recording, Recording):
            raise TypeError(f"recording must be a Recording, not {type(recording).__name__}")
        if speed is not None and (not math.isfinite(speed) or speed <= 0):
            raise ValueError(f"speed must be None or a positive finite number, got {speed}")
        self._scripts = _scripts(recording)
        self._strict = strict
        self._ignore_media = ignore_media_data
        self._speed = speed
        self._sleep = sleep
        self.mismatches: list[Mismatch] = []
        self.requests: list[Request] = []
        self.completed = 0
        self._active = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], **options: Any) -> ReplayServer:
        """Read a recording strictly and build a server for it.

        Raises:
            OSError: The file cannot be read.
            ProtocolError: The file is not a valid recording.
        """
        return cls(read_recording(path, strict=True), **options)

    @property
    def handler(self) -> Handler:
        """The connection handler: ``MemoryConnector(replay.handler)`` or ``serve(...)``."""
        return self._handle

    async def wait_idle(self) -> None:
        """Wait until no connection is being served (every handler has returned).

        Safe to cancel. Call it after the client saw its last close, before looking at
        :attr:`completed` or :attr:`mismatches` over a real socket.
        """
        await self._idle.wait()

    async def _handle(self, conn: Connection, request: Request) -> None:
        number = len(self.requests)
        self.requests.append(request)
        self._active += 1
        self._idle.clear()
        try:
            if number >= len(self._scripts):
                expected = f"{len(self._scripts)} connection(s)"
                self._mismatch(number, 0, "<connection>", expected, f"connection {number}")
                await conn.close(1008, f"replay: the recording has only {expected}")
            elif await _Player(self, conn, number).play(self._scripts[number]):
                self.completed += 1
        finally:
            self._active -= 1
            if not self._active:
                self._idle.set()

    def _mismatch(self, conn: int, index: int, path: str, expected: str, actual: str) -> Mismatch:
        found = Mismatch(conn, index, path, expected, actual)
        self.mismatches.append(found)
        return found


class _Player:
    """Plays one recorded connection over one live connection."""

    def __init__(self, server: ReplayServer, conn: Connection, number: int) -> None:
        self.server = server
        self.conn = conn
        self.number = number
        self.index = 0  # client frames received so far
        self.last_t: float | None = None

    async def _pace(self, t: float) -> None:
        speed = self.server._speed
        if speed is not None and self.last_t is not None and t > self.last_t:
            await self.server._sleep((t - self.last_t) / speed)

    def _fail(self, path: str, expected: str, actual: str) -> Mismatch | None:
        if not self.server._strict:
            return None
        return self.server._mismatch(self.number, self.index, path, expected, actual)

    async def play(self, script: list[Step]) -> bool:
        """Play ``script``; return True when it ran to its end without a mismatch."""
        for step in script:
            if isinstance(step, LifecycleEvent):
                if step.event == "close":
                    return await self._close(step)
            elif step.direction == "send":
                if not await self._expect(step):
                    return False
            else:
                await self._pace(step.t)
                try:
                    await self.conn.send(step.data)
                except ConnectionClosed as exc:
                    self._fail("<close>", "the connection open", f"close {exc.code}")
                    return False
            self.last_t = step.t
        return await self._await_client_close()

    async def _expect(self, step: Frame) -> bool:
        try:
            data = await self.conn.recv()
        except ConnectionClosed as exc:
            self._fail("<close>", f"client frame {self.index}", f"close {exc.code}")
            return False
        difference = None
        if self.server._strict:
            difference = compare_frames(
                step.data, data, ignore_media_data=self.server._ignore_media
            )
        if difference is not None:
            mismatch = self._fail(*difference)
            assert mismatch is not None
            reason = f"replay mismatch in client frame {self.index}: {difference[0]}"
            await self.conn.close(1008, _truncate_reason(reason))
            return False
        self.index += 1
        return True

    async def _close(self, step: LifecycleEvent) -> bool:
        by = step.fields.get("by")
        if by == "client" or (by is None and step.code == 1000):
            return await self._await_client_close()
        await self._pace(step.t)
        code = step.code
        if code is None or code in (1006, 1015):
            self.conn.abort()
        else:
            await self.conn.close(1000 if code in _UNSENDABLE else code, step.reason)
        return True

    async def _await_client_close(self) -> bool:
        """The recording ends here: wait for the client to close; extra frames mismatch."""
        while True:
            try:
                data = await self.conn.recv()
            except ConnectionClosed:
                return True
            if self.server._strict:
                self._fail("<frame>", "a close", _short(_as_text(data)))
                await self.conn.close(1008, f"replay: unexpected client frame {self.index}")
                return False
            self.index += 1


def _as_text(data: str | bytes) -> str:
    return data if isinstance(data, str) else data.decode(errors="replace")
