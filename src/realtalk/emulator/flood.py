"""A flood source for benchmarks: an emulator whose model streams canned output.

The full :class:`~realtalk.emulator.Emulator` synthesizes, encodes, records and
paces every message, and validates every client frame strictly; that costs more
per message than a fast client spends receiving it, so it cannot saturate one.
:class:`FloodEmulator` serves the same paths, TLS and setup checks, then answers
commands sent as user text (``realtimeInput.text``, or a ``clientContent`` turn)
with messages encoded once in advance:

``flood audio N``
    N ``serverContent.modelTurn`` messages of 40 ms of 24 kHz PCM (1920 bytes,
    ~2.6 KB of JSON), as fast as the socket takes them, then
    ``generationComplete`` and ``turnComplete``.
``flood transcript N``
    N small ``serverContent.outputTranscription`` messages, then ``turnComplete``.
``pace audio SECONDS``
    40 ms audio messages at playback speed for SECONDS. The first 16 bytes of each
    chunk's PCM are two little-endian float64 stamps of the flood's clock
    (``time.monotonic`` by default, which every process of a Linux host shares):
    when the message was due and when it was actually sent, so a client can
    measure its delivery lateness. Then ``generationComplete`` and ``turnComplete``.
``sync`` (or any other text)
    ``turnComplete`` at once. Commands run in order, so a client that sent N
    messages and then ``sync`` knows the server has read all N when the answer comes.

Frames are binary, as the real service sends them. The setup is decoded and
checked like the full emulator does (path, model name, setup rules; 1007/1008
closes); later client messages are decoded with the typed wire decoder (a few µs; audio
is decoded and dropped), falling back to the full server-role decoder for
snake_case keys or URL-safe base64 (which the official SDK sends), without the
strict checks.
"""

from __future__ import annotations

import asyncio
import binascii
import struct
import time
from collections.abc import Callable

import msgspec

from realtalk.audio import chunk, synthesize
from realtalk.emulator import output
from realtalk.emulator.reply import fragments
from realtalk.emulator.server import Emulator
from realtalk.emulator.validate import Reject, check_model, check_path, check_setup
from realtalk.errors import ConnectionClosed, ProtocolError
from realtalk.protocol.gemini import codec, wire
from realtalk.transport.base import Connection, Request

__all__ = [
    "CHUNK_BYTES",
    "STAMP",
    "FloodEmulator",
    "StampedAudio",
    "audio_messages",
    "transcript_messages",
]

#: Bytes of PCM in one output audio message (40 ms at 24 kHz, 16-bit mono).
CHUNK_BYTES = 1920
#: Layout of the stamps at the start of a paced chunk: (due, sent) in clock seconds.
STAMP = struct.Struct("<dd")

_RATE = 24000
_CHUNK_SECONDS = 0.04
_STAMP_BYTES = 24  # the stamps plus padding: a multiple of 3, so base64 splices cleanly
_SPEECH = "The quick brown fox jumps over the lazy dog while the flood source keeps talking."
_CLIENT = msgspec.json.Decoder(wire.ClientMessage)
_EMPTY = wire.ClientMessage()


def audio_messages() -> list[bytes]:
    """The flood's encoded audio messages (40 ms of 24 kHz speech each), in order."""
    pcm = synthesize(_SPEECH, _RATE)
    pieces = [p for p in chunk(pcm, _RATE, _CHUNK_SECONDS) if len(p) == CHUNK_BYTES]
    return [codec.encode_server(output.audio_chunk(p)) for p in pieces]


def transcript_messages() -> list[bytes]:
    """The flood's encoded output transcription deltas, in order."""
    return [
        codec.encode_server(output.output_transcription(p, False))
        for p in fragments(_SPEECH, max_chars=12)
    ]


class StampedAudio:
    """Builds the paced audio messages: two stamps spliced into a pre-encoded message.

    ``build(due, sent)`` returns the JSON of a ``modelTurn`` message with 40 ms of
    24 kHz PCM whose first 16 bytes are :data:`STAMP` ``(due, sent)``.
    """

    def __init__(self) -> None:
        pcm = synthesize(_SPEECH, _RATE)[:CHUNK_BYTES]
        placeholder = bytes(_STAMP_BYTES) + pcm[_STAMP_BYTES:]
        encoded = binascii.b2a_base64(placeholder, newline=False)
        frame = codec.encode_server(output.audio_chunk(placeholder))
        at = frame.index(encoded)
        self._head = frame[:at]
        self._rest = encoded[_STAMP_BYTES // 3 * 4 :]
        self._tail = frame[at + len(encoded) :]
        self._pad = bytes(_STAMP_BYTES - STAMP.size)

    def build(self, due: float, sent: float) -> bytes:
        """The message for a chunk that was due at ``due`` and is sent at ``sent``."""
        stamp = binascii.b2a_base64(STAMP.pack(due, sent) + self._pad, newline=False)
        return b"".join((self._head, stamp, self._rest, self._tail))


class FloodEmulator(Emulator):
    """An emulator whose model answers flood commands (see the module docstring).

    Args:
        host: Address to listen on.
        port: Port; 0 picks a free one.
        tls: Serve ``wss://`` with a throwaway CA (:attr:`ca_file`).
        clock: Monotonic seconds; the pacing schedule and the stamps use it.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(host=host, port=port, tls=tls, clock=clock)
        self._clock = clock
        self._audio = audio_messages()
        self._transcripts = transcript_messages()
        self._paced = StampedAudio()
        self._sessions = 0

    async def _handle(self, conn: Connection, request: Request) -> None:
        self._sessions += 1
        await _FloodConnection(self, conn, request, f"flood-{self._sessions}").run()


class _FloodConnection:
    """Serves one connection of a :class:`FloodEmulator`."""

    def __init__(
        self, source: FloodEmulator, conn: Connection, request: Request, session_id: str
    ) -> None:
        self._source = source
        self._conn = conn
        self._request = request
        self._session_id = session_id
        self._commands: asyncio.Queue[str] = asyncio.Queue()

    async def run(self) -> None:
        """Serve until the client closes. Never raises except on cancellation."""
        try:
            try:
                await self._serve()
            except BaseExceptionGroup as group:
                raise group.exceptions[0] from None
        except Reject as reject:
            if reject.code is None:
                self._conn.abort()
            else:
                await self._conn.close(reject.code, reject.reason)
        except ConnectionClosed:
            pass

    async def _serve(self) -> None:
        found = check_path(self._request.path)
        try:
            message = codec.decode_client(await self._conn.recv())
        except ProtocolError as exc:
            raise Reject(1007, exc.reason) from None
        if message.setup is None:
            raise Reject(1007, "Request contains an invalid argument.")
        check_model(message.setup.model, found, None)
        check_setup(message.setup)
        await self._conn.send(codec.encode_server(output.setup_complete(self._session_id)))
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._produce())
            await self._read()

    async def _read(self) -> None:
        recv, queue = self._conn.recv, self._commands
        while True:
            data = await recv()
            try:
                message = _CLIENT.decode(data)
            except (msgspec.DecodeError, UnicodeError):
                message = _EMPTY
            if message == _EMPTY:  # snake_case keys or URL-safe base64: the full decoder
                try:
                    message = codec.decode_client(data, strict=False)
                except ProtocolError as exc:
                    raise Reject(1007, exc.reason) from None
            text = _text_of(message)
            if text is not None:
                queue.put_nowait(text)

    async def _produce(self) -> None:
        while True:
            words = (await self._commands.get()).split()
            if words[:2] == ["flood", "audio"] and len(words) == 3:
                await self._flood(self._source._audio, int(words[2]))
                await self._send(output.generation_complete())
            elif words[:2] == ["flood", "transcript"] and len(words) == 3:
                await self._flood(self._source._transcripts, int(words[2]))
            elif words[:2] == ["pace", "audio"] and len(words) == 3:
                await self._pace(float(words[2]))
                await self._send(output.generation_complete())
            await self._send(output.turn_complete(None))

    async def _send(self, message: wire.ServerMessage) -> None:
        await self._conn.send(codec.encode_server(message))

    async def _flood(self, frames: list[bytes], count: int) -> None:
        send, size = self._conn.send, len(frames)
        for i in range(count):
            await send(frames[i % size])

    async def _pace(self, seconds: float) -> None:
        clock, build, send = self._source._clock, self._source._paced.build, self._conn.send
        start = clock()
        for k in range(round(seconds / _CHUNK_SECONDS)):
            due = start + k * _CHUNK_SECONDS
            wait = due - clock()
            if wait > 0:
                await asyncio.sleep(wait)
            await send(build(due, clock()))


def _text_of(message: wire.ClientMessage) -> str | None:
    """The user text a client message carries (``realtimeInput.text`` or ``clientContent``)."""
    ri = message.realtime_input
    if ri is not None:
        return ri.text
    content = message.client_content
    if content is not None and content.turn_complete:
        texts = [p.text for t in content.turns or () for p in t.parts or () if p.text]
        return " ".join(texts)
    return None
