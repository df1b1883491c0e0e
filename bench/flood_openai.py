"""An OpenAI Realtime flood and paced source for the benchmark (benchmark-only).

A hand-written RFC 6455 server on :class:`asyncio.Protocol`, like :mod:`bench.lean`,
serving ``/v1/realtime`` the way the GA Realtime API opens a session: after the
upgrade it sends ``session.created``; the first client event must be
``session.update`` and is answered with ``session.updated``. After that, commands
come as user text (``conversation.item.create`` of an ``input_text`` item; a
following ``response.create`` is ignored) and are answered in order, with
events encoded once in advance, as text frames:

``flood audio N``
    ``response.created``, N ``response.output_audio.delta`` events of 40 ms of
    24 kHz PCM (1920 bytes, ~2.7 KB of JSON), then ``response.done``, written as
    fast as the transport takes them (``pause_writing`` flow control).
``flood transcript N``
    ``response.created``, N small ``response.output_audio_transcript.delta`` events,
    ``response.done``.
``pace audio SECONDS``
    ``response.created``, 40 ms audio deltas at playback speed whose PCM starts with
    the two :data:`realtalk.emulator.flood.STAMP` stamps (due, sent), ``response.done``.
``sync`` (or any other text)
    ``response.created`` + ``response.done`` at once.

Client frames larger than ``_COMMAND_MAX`` after the handshake (audio appends) are
skipped without unmasking. It is a measuring instrument, not an emulator: no
validation beyond the path and the handshake order, no fragmentation, no extensions.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import ssl
import time
from collections import deque
from collections.abc import Iterator

import orjson

from bench.lean import LeanProtocol, _frame, switching_protocols
from realtalk.audio import chunk, synthesize
from realtalk.emulator.flood import CHUNK_BYTES, STAMP

__all__ = ["serve_openai"]

_COMMAND_MAX = 1024
_PERIOD = 0.04
_RATE = 24000
_STAMP_BYTES = 24
_SPEECH = "The quick brown fox jumps over the lazy dog while the flood source keeps talking."
_SESSION = {
    "type": "realtime",
    "object": "realtime.session",
    "id": "sess_flood",
    "model": "gpt-realtime",
    "output_modalities": ["audio"],
    "audio": {
        "input": {"format": {"type": "audio/pcm", "rate": _RATE}},
        "output": {"format": {"type": "audio/pcm", "rate": _RATE}, "voice": "alloy"},
    },
}
_PART = {"response_id": "resp_flood", "item_id": "item_flood", "output_index": 0}
_PART = _PART | {"content_index": 0}


def _text(event: dict[str, object]) -> bytes:
    return _frame(orjson.dumps(event), 0x1)


def _event(kind: str, number: int, **fields: object) -> dict[str, object]:
    return {"type": kind, "event_id": f"event_{number}", **fields}


_CREATED = _text(_event("session.created", 0, session=_SESSION))
_UPDATED = _text(_event("session.updated", 1, session=_SESSION))
_RESPONSE = {"id": "resp_flood", "object": "realtime.response", "output": []}
_RESPONSE_CREATED = _text(
    _event("response.created", 2, response=_RESPONSE | {"status": "in_progress"})
)
_RESPONSE_DONE = _text(_event("response.done", 3, response=_RESPONSE | {"status": "completed"}))


def _audio_frames() -> list[bytes]:
    pcm = synthesize(_SPEECH, _RATE)
    pieces = [p for p in chunk(pcm, _RATE, _PERIOD) if len(p) == CHUNK_BYTES]
    return [
        _text(
            _event(
                "response.output_audio.delta",
                100 + i,
                **_PART,
                delta=base64.b64encode(p).decode(),
            )
        )
        for i, p in enumerate(pieces)
    ]


def _transcript_frames() -> list[bytes]:
    words = _SPEECH.split(" ")
    return [
        _text(_event("response.output_audio_transcript.delta", 1000 + i, **_PART, delta=w + " "))
        for i, w in enumerate(words)
    ]


class _Stamped:
    """Paced audio deltas: the two stamps spliced into a pre-encoded frame."""

    def __init__(self) -> None:
        pcm = synthesize(_SPEECH, _RATE)[:CHUNK_BYTES]
        placeholder = bytes(_STAMP_BYTES) + pcm[_STAMP_BYTES:]
        encoded = binascii.b2a_base64(placeholder, newline=False)
        event = _event("response.output_audio.delta", 9, **_PART, delta=encoded.decode())
        payload = orjson.dumps(event)
        at = payload.index(encoded)
        self._head = _frame(payload, 0x1)[: -len(payload)] + payload[:at]
        self._rest = encoded[_STAMP_BYTES // 3 * 4 :]
        self._tail = payload[at + len(encoded) :]
        self._pad = bytes(_STAMP_BYTES - STAMP.size)

    def build(self, due: float, sent: float) -> bytes:
        stamp = binascii.b2a_base64(STAMP.pack(due, sent) + self._pad, newline=False)
        return b"".join((self._head, stamp, self._rest, self._tail))


class _Source:
    def __init__(self) -> None:
        self.audio = _audio_frames()
        self.transcripts = _transcript_frames()
        self.paced = _Stamped()


class _OpenAIConnection(LeanProtocol):
    refusal = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"
    command_max = _COMMAND_MAX

    def __init__(self, source: _Source) -> None:
        super().__init__()
        self._source = source
        self._jobs: deque[list[str]] = deque()
        self._pacing = False

    def _accept(self, head: bytes) -> bytes | None:
        response = switching_protocols(head)
        path = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b""
        if response is None or not path.startswith(b"/v1/realtime"):
            return None
        return response + _CREATED

    def _message(self, opcode: int, payload: bytes) -> None:
        transport = self._transport
        if transport is None:
            return
        if opcode == 0x8:
            transport.write(_frame(payload[:2], 0x8))
            transport.close()
        elif opcode == 0x9:
            transport.write(_frame(payload, 0xA))
        elif opcode in (0x1, 0x2):
            try:
                event = orjson.loads(payload)
            except orjson.JSONDecodeError:
                return
            kind = event.get("type")
            if not self._setup_done:
                if kind != "session.update":
                    transport.write(_frame(b"\x03\xf0invalid handshake", 0x8))
                    transport.close()
                    return
                self._setup_done = True
                transport.write(_UPDATED)
            elif kind == "conversation.item.create":
                content = (event.get("item") or {}).get("content") or [{}]
                self._jobs.append(str(content[0].get("text", "")).split())
                self._pump()

    # -- output

    def _pump(self) -> None:
        """The jobs in order: each flood written out (the base class), pacing in between."""
        while self._transport is not None and not self._paused and not self._pacing:
            if self._flood is None:
                if not self._jobs:
                    return
                self._start(self._jobs.popleft())
            super()._pump()

    def _start(self, words: list[str]) -> None:
        source = self._source
        if words[:2] == ["flood", "audio"] and len(words) == 3:
            self._flood = _flood(source.audio, int(words[2]))
        elif words[:2] == ["flood", "transcript"] and len(words) == 3:
            self._flood = _flood(source.transcripts, int(words[2]))
        elif words[:2] == ["pace", "audio"] and len(words) == 3:
            assert self._transport is not None
            self._transport.write(_RESPONSE_CREATED)
            self._pacing = True
            count = round(float(words[2]) / _PERIOD)
            start = time.monotonic()
            self._timer = self._loop.call_at(start, self._tick, start, 0, count)
        else:
            self._flood = iter((_RESPONSE_CREATED + _RESPONSE_DONE,))

    def _tick(self, start: float, k: int, count: int) -> None:
        transport = self._transport
        if transport is None:
            return
        due = start + k * _PERIOD
        transport.write(self._source.paced.build(due, time.monotonic()))
        if k + 1 < count:
            self._timer = self._loop.call_at(
                start + (k + 1) * _PERIOD, self._tick, start, k + 1, count
            )
        else:
            transport.write(_RESPONSE_DONE)
            self._pacing = False
            self._pump()


def _flood(frames: list[bytes], count: int) -> Iterator[bytes]:
    yield _RESPONSE_CREATED
    size = len(frames)
    for i in range(count):
        yield frames[i % size]
    yield _RESPONSE_DONE


async def serve_openai(
    host: str = "127.0.0.1", port: int = 0, ssl_context: ssl.SSLContext | None = None
) -> asyncio.Server:
    """Start the OpenAI source; the caller closes the returned server."""
    source = _Source()
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: _OpenAIConnection(source), host, port, ssl=ssl_context, backlog=1024
    )
