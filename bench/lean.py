"""A lean paced source for the real-time capacity test (benchmark-only).

Serving a duplex session with websockets costs the flood source about as much CPU
as it costs a fast client (frame parsing on every 20 ms input chunk, a task
wake-up per paced output message), so on a 2-CPU machine the source's core
saturates about when the client's does and the capacity search would measure the
source. This source does the minimum on its own core: a hand-written RFC 6455
server on :class:`asyncio.Protocol` that answers the setup with
``setupComplete``, skips input frames without unmasking them (only frames small
enough to be commands are read), and sends the same stamped 40 ms audio messages
as :class:`realtalk.emulator.flood.FloodEmulator` (``pace audio SECONDS``) from
``loop.call_at`` callbacks with one ``transport.write`` each. ``flood audio N`` and
``flood transcript N`` send FloodEmulator's pre-encoded messages as fast as the
transport takes them (32 frames per ``transport.write``, ``pause_writing`` flow
control), then ``turnComplete``, so that a flood measures the client and not the
source. ``sync`` and any other text get ``turnComplete``. It is a measuring
instrument, not an emulator: no setup validation, no fragmentation, no extensions.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import re
import ssl
import time
from collections.abc import Callable, Iterator

from realtalk.emulator.flood import StampedAudio, audio_messages, transcript_messages

__all__ = ["LeanProtocol", "serve_lean"]

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_KEY = re.compile(rb"(?im)^sec-websocket-key:\s*(\S+)\s*$")
_TEXT = re.compile(rb'"text"\s*:\s*"([^"]*)"')
_COMMAND_MAX = 512
_PERIOD = 0.04
_SETUP_COMPLETE = b'{"setupComplete":{"sessionId":"lean"}}'
_GENERATION_COMPLETE = b'{"serverContent":{"generationComplete":true}}'
_TURN_COMPLETE = b'{"serverContent":{"turnComplete":true}}'
_BATCH = 32  # frames joined per transport.write during a flood


def _frame(payload: bytes, opcode: int = 0x2) -> bytes:
    """An unmasked, unfragmented server frame."""
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, n))
    elif n < 1 << 16:
        head = bytes((0x80 | opcode, 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 127)) + n.to_bytes(8, "big")
    return head + payload


def _unmask(data: bytes, mask: bytes) -> bytes:
    n = len(data)
    key = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "little") ^ int.from_bytes(key, "little")).to_bytes(n, "little")


def take_head(buf: bytearray) -> bytes | None:
    """Remove and return the HTTP request head from ``buf`` once it is complete."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buf[:end])
    del buf[: end + 4]
    return head


def switching_protocols(head: bytes) -> bytes | None:
    """The 101 response accepting the upgrade in ``head``; None without a key."""
    found = _KEY.search(head)
    if found is None:
        return None
    accept = base64.b64encode(hashlib.sha1(found.group(1) + _GUID).digest())
    return (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
    )


def split_frames(buf: bytearray, keep: Callable[[int, int], bool]) -> list[tuple[int, bytes]]:
    """Remove the complete client frames from ``buf``; unmask those ``keep(opcode, size)``
    wants (a source skips the payload of big audio frames it only has to count)."""
    out: list[tuple[int, bytes]] = []
    at = 0
    while len(buf) - at >= 2:
        opcode, size = buf[at] & 0x0F, buf[at + 1] & 0x7F
        head = 2
        if size == 126:
            if len(buf) - at < 4:
                break
            size, head = int.from_bytes(buf[at + 2 : at + 4], "big"), 4
        elif size == 127:
            if len(buf) - at < 10:
                break
            size, head = int.from_bytes(buf[at + 2 : at + 10], "big"), 10
        end = at + head + 4 + size
        if len(buf) < end:
            break
        if keep(opcode, size):
            mask = bytes(buf[at + head : at + head + 4])
            out.append((opcode, _unmask(bytes(buf[at + head + 4 : end]), mask)))
        at = end
    del buf[:at]
    return out


class _Source:
    """What every connection of one source shares: the paced and the flood messages."""

    def __init__(self) -> None:
        self.paced = StampedAudio()
        self.audio = [_frame(m) for m in audio_messages()]
        self.transcripts = [_frame(m) for m in transcript_messages()]


class LeanProtocol(asyncio.Protocol):
    """What every lean source connection does: the upgrade, client frame splitting,
    and floods written ``_BATCH`` frames at a time under ``pause_writing`` flow control.

    Subclasses answer the upgrade (:meth:`_accept`) and the messages (:meth:`_message`).
    """

    #: The answer to an upgrade request that :meth:`_accept` refuses.
    refusal = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"
    #: Client frames larger than this after the setup are skipped unread (audio).
    command_max = _COMMAND_MAX

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._buf = bytearray()
        self._upgraded = False
        self._setup_done = False
        self._flood: Iterator[bytes] | None = None
        self._paused = False
        self._timer: asyncio.TimerHandle | None = None
        self._loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._transport = None

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        self._pump()

    def _pump(self) -> None:
        transport = self._transport
        while transport is not None and not self._paused and self._flood is not None:
            batch = list(itertools.islice(self._flood, _BATCH))
            if batch:
                transport.write(b"".join(batch))
            else:
                self._flood = None

    def data_received(self, data: bytes) -> None:
        self._buf += data
        if not self._upgraded and not self._upgrade():
            return
        for opcode, payload in split_frames(self._buf, self._keep):
            self._message(opcode, payload)

    def _upgrade(self) -> bool:
        head = take_head(self._buf)
        if head is None:
            return False
        answer = self._accept(head)
        assert self._transport is not None
        if answer is None:
            self._transport.write(self.refusal)
            self._transport.close()
            return False
        self._transport.write(answer)
        self._upgraded = True
        return True

    def _accept(self, head: bytes) -> bytes | None:
        """What to write for the upgrade request ``head`` (None refuses it)."""
        return switching_protocols(head)

    def _keep(self, opcode: int, size: int) -> bool:
        return size <= self.command_max or opcode >= 0x8 or not self._setup_done

    def _message(self, opcode: int, payload: bytes) -> None:
        raise NotImplementedError


class _LeanConnection(LeanProtocol):
    def __init__(self, source: _Source) -> None:
        super().__init__()
        self._source = source
        self._audio = source.paced

    def _message(self, opcode: int, payload: bytes) -> None:
        transport = self._transport
        if transport is None:
            return
        if opcode == 0x8:  # close: echo the code, then hang up
            transport.write(_frame(payload[:2], 0x8))
            transport.close()
        elif opcode == 0x9:
            transport.write(_frame(payload, 0xA))
        elif opcode in (0x1, 0x2):
            if not self._setup_done:
                self._setup_done = True
                transport.write(_frame(_SETUP_COMPLETE))
                return
            found = _TEXT.search(payload)
            if found is None:
                return
            words = found.group(1).decode().split()
            if words[:1] == ["flood"] and len(words) == 3 and words[1] in ("audio", "transcript"):
                frames = self._source.audio if words[1] == "audio" else self._source.transcripts
                count = int(words[2])
                self._flood = itertools.chain(
                    (frames[i % len(frames)] for i in range(count)), (_frame(_TURN_COMPLETE),)
                )
                self._pump()
            elif words[:2] == ["pace", "audio"] and len(words) == 3:
                count = round(float(words[2]) / _PERIOD)
                start = time.monotonic()
                self._timer = self._loop.call_at(start, self._tick, start, 0, count)
            elif self._flood is not None:  # after the flood under way
                self._flood = itertools.chain(self._flood, (_frame(_TURN_COMPLETE),))
            else:
                transport.write(_frame(_TURN_COMPLETE))

    def _tick(self, start: float, k: int, count: int) -> None:
        transport = self._transport
        if transport is None:
            return
        due = start + k * _PERIOD
        transport.write(_frame(self._audio.build(due, time.monotonic())))
        if k + 1 < count:
            self._timer = self._loop.call_at(
                start + (k + 1) * _PERIOD, self._tick, start, k + 1, count
            )
        else:
            transport.write(_frame(_GENERATION_COMPLETE) + _frame(_TURN_COMPLETE))


async def serve_lean(
    host: str = "127.0.0.1", port: int = 0, ssl_context: ssl.SSLContext | None = None
) -> asyncio.Server:
    """Start the lean source; the caller closes the returned server."""
    source = _Source()
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: _LeanConnection(source), host, port, ssl=ssl_context, backlog=1024
    )
