"""The clients under test, each behind the same small interface.

* ``realtalk``: :func:`realtalk.connect` and one ``session.events()`` iterator.
* ``genai``: the official google-genai async live client (``client.aio.live.connect``,
  ``session.receive()``, ``session.send_realtime_input``); it only speaks ``wss://``.
* ``orjson``: raw floor A: websockets + ``orjson.loads`` + ``base64.b64decode`` of the
  inline audio; sends a base64 f-string.
* ``msgspec``: raw floor B: websockets + a typed ``msgspec`` Struct decode whose ``data``
  field is ``bytes`` (base64 decoded inside the decoder); sends an encoded Struct.

Every client consumes what it receives the same way: it counts audio messages and
their PCM bytes, and transcript messages. In the real-time test it reads the two
stamps the flood source puts at the start of each paced chunk.
"""

from __future__ import annotations

import base64
import ssl
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import msgspec
import orjson
import websockets

from realtalk.emulator.flood import STAMP

__all__ = ["CLIENTS", "Client", "Recorder", "Target", "make_client"]

MODEL = "gemini-live-2.5-flash-preview"
PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
INPUT_MIME = "audio/pcm;rate=16000"
MAX_SIZE = 16 * 1024 * 1024


@dataclass
class Target:
    """Where the flood source listens, and the CA to trust for ``wss://``."""

    url: str
    ca_file: str | None = None
    _context: ssl.SSLContext | None = field(default=None, repr=False)

    @property
    def tls(self) -> bool:
        return self.url.startswith("wss://")

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def context(self) -> ssl.SSLContext | None:
        """One client SSL context per process, shared by every session (None for ws://)."""
        if not self.tls:
            return None
        if self._context is None:
            self._context = ssl.create_default_context(cafile=self.ca_file)
        return self._context


class Recorder:
    """Lateness samples of the real-time test (appended only while ``on``)."""

    __slots__ = ("late", "on", "server_late")

    def __init__(self) -> None:
        self.on = False
        self.late: list[float] = []
        self.server_late: list[float] = []

    def stamp(self, pcm: bytes, now: float) -> None:
        due, sent = STAMP.unpack_from(pcm)
        if self.on:
            self.late.append(now - due)
            self.server_late.append(sent - due)


class Client(ABC):
    """One live session of one client library."""

    name: ClassVar[str]
    tls_only: ClassVar[bool] = False
    #: Sample rate of the PCM16 chunks :meth:`send_audio` takes (20 ms each).
    input_rate: ClassVar[int] = 16000

    def __init__(self, target: Target) -> None:
        self.target = target

    @abstractmethod
    async def open(self) -> None:
        """Connect and complete the setup handshake."""

    @abstractmethod
    async def command(self, text: str) -> None:
        """Send user text (``realtimeInput.text``): a flood command."""

    #: Events the client library dropped (realtalk: ``Lagged`` counts), reset by the caller.
    lost = 0

    @abstractmethod
    async def drain_turn(self) -> tuple[int, int, int]:
        """Receive through ``turnComplete``; return (audio msgs, transcript msgs, PCM bytes)."""

    @abstractmethod
    async def send_audio(self, pcm: bytes) -> None:
        """Send one 16 kHz PCM chunk as ``realtimeInput.audio``."""

    @abstractmethod
    async def paced(self, rec: Recorder) -> None:
        """Receive paced audio until the session is closed, stamping each chunk."""

    @abstractmethod
    async def close(self) -> None:
        """Close the session."""


# -- realtalk ------------------------------------------------------------------------------


class RealtalkClient(Client):
    name = "realtalk"

    #: ``ring_size`` given to :func:`realtalk.connect` (None = its default).
    ring_size: ClassVar[int | None] = None

    def __init__(self, target: Target, *, per_session_ca: bool = False) -> None:
        super().__init__(target)
        self._per_session_ca = per_session_ca
        self._session: Any = None
        self._events: Any = None

    async def open(self) -> None:
        import realtalk

        tls: dict[str, Any] = {}  # and other connect() options
        if self.target.tls:
            # ca_file= builds an SSLContext per session; ssl= shares the process's one
            if self._per_session_ca:
                tls["ca_file"] = self.target.ca_file
            else:
                tls["ssl"] = self.target.context()
        if self.ring_size is not None:
            tls["ring_size"] = self.ring_size
        self._session = await realtalk.connect(
            "gemini",
            model=MODEL,
            url=self.target.url,
            config={"generationConfig": {"responseModalities": ["AUDIO"]}},
            **tls,
        )
        self._events = self._session.events()

    async def command(self, text: str) -> None:
        await self._session.send_text(text)

    async def drain_turn(self) -> tuple[int, int, int]:
        from realtalk.events import AudioDelta, Closed, Lagged, OutputTranscript, TurnComplete

        audio = transcripts = size = 0
        async for event in self._events:
            kind = type(event)
            if kind is AudioDelta:
                audio += 1
                size += len(event.data)
            elif kind is OutputTranscript:
                transcripts += 1
            elif kind is TurnComplete or kind is Closed:
                break
            elif kind is Lagged:
                self.lost += event.count
        return audio, transcripts, size

    async def send_audio(self, pcm: bytes) -> None:
        await self._session.send_audio(pcm)

    async def paced(self, rec: Recorder) -> None:
        from realtalk.events import AudioDelta

        stamp, now = rec.stamp, time.monotonic
        async for event in self._events:
            if type(event) is AudioDelta:
                stamp(event.data, now())

    async def close(self) -> None:
        await self._session.close()


class RealtalkBigRingClient(RealtalkClient):
    """realtalk with ``ring_size=65536``: no ``Lagged`` loss under a flood of small messages."""

    name = "realtalk-ring64k"
    ring_size = 65536


class RealtalkCaFileClient(RealtalkClient):
    """realtalk with ``ca_file=`` (one SSLContext per session), for the memory test."""

    name = "realtalk-cafile"

    def __init__(self, target: Target) -> None:
        super().__init__(target, per_session_ca=True)


# -- raw floors ------------------------------------------------------------------------------


class _RawClient(Client):
    """websockets connection + hand-written setup; subclasses decode and encode."""

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._ws: Any = None

    async def open(self) -> None:
        extra: dict[str, Any] = {"ssl": self.target.context()} if self.target.tls else {}
        self._ws = await websockets.connect(
            self.target.url + PATH, compression=None, max_size=MAX_SIZE, **extra
        )
        config = {"responseModalities": ["AUDIO"]}
        setup = {"setup": {"model": "models/" + MODEL, "generationConfig": config}}
        await self._ws.send(orjson.dumps(setup), text=True)
        while b"setupComplete" not in _as_bytes(await self._ws.recv()):
            pass

    async def command(self, text: str) -> None:
        await self._ws.send(orjson.dumps({"realtimeInput": {"text": text}}), text=True)

    async def close(self) -> None:
        await self._ws.close()


def _as_bytes(data: str | bytes) -> bytes:
    return data.encode() if isinstance(data, str) else data


class OrjsonClient(_RawClient):
    """Floor A: websockets + orjson + base64.b64decode."""

    name = "orjson"

    async def drain_turn(self) -> tuple[int, int, int]:
        recv, loads, b64decode = self._ws.recv, orjson.loads, base64.b64decode
        audio = transcripts = size = 0
        while True:
            content = loads(await recv()).get("serverContent")
            if content is None:
                continue
            turn = content.get("modelTurn")
            if turn is not None:
                for part in turn["parts"]:
                    blob = part.get("inlineData")
                    if blob is not None:
                        size += len(b64decode(blob["data"]))
                        audio += 1
            if content.get("outputTranscription") is not None:
                transcripts += 1
            if content.get("turnComplete"):
                return audio, transcripts, size

    async def send_audio(self, pcm: bytes) -> None:
        data = base64.b64encode(pcm).decode("ascii")
        await self._ws.send(
            f'{{"realtimeInput":{{"audio":{{"mimeType":"{INPUT_MIME}","data":"{data}"}}}}}}'
        )

    async def paced(self, rec: Recorder) -> None:
        recv, loads, b64decode = self._ws.recv, orjson.loads, base64.b64decode
        stamp, now = rec.stamp, time.monotonic
        try:
            while True:
                content = loads(await recv()).get("serverContent")
                turn = content and content.get("modelTurn")
                if turn:
                    for part in turn["parts"]:
                        blob = part.get("inlineData")
                        if blob is not None:
                            stamp(b64decode(blob["data"]), now())
        except websockets.ConnectionClosed:
            return


class _Blob(msgspec.Struct, rename="camel", omit_defaults=True):
    mime_type: str | None = None
    data: bytes = b""


class _Part(msgspec.Struct, rename="camel", omit_defaults=True):
    text: str | None = None
    inline_data: _Blob | None = None


class _Content(msgspec.Struct, omit_defaults=True):
    parts: list[_Part] = []
    role: str | None = None


class _Transcription(msgspec.Struct, omit_defaults=True):
    text: str | None = None
    finished: bool | None = None


class _ServerContent(msgspec.Struct, rename="camel", omit_defaults=True):
    model_turn: _Content | None = None
    output_transcription: _Transcription | None = None
    generation_complete: bool | None = None
    turn_complete: bool | None = None


class _ServerMessage(msgspec.Struct, rename="camel", omit_defaults=True):
    setup_complete: dict[str, Any] | None = None
    server_content: _ServerContent | None = None


class _RealtimeInput(msgspec.Struct, omit_defaults=True):
    audio: _Blob | None = None


class _ClientMessage(msgspec.Struct, rename="camel", omit_defaults=True):
    realtime_input: _RealtimeInput | None = None


_DECODER = msgspec.json.Decoder(_ServerMessage)
_ENCODER = msgspec.json.Encoder()


class MsgspecClient(_RawClient):
    """Floor B: websockets + a typed msgspec decode with a ``bytes`` field."""

    name = "msgspec"

    async def drain_turn(self) -> tuple[int, int, int]:
        recv, decode = self._ws.recv, _DECODER.decode
        audio = transcripts = size = 0
        while True:
            content = decode(await recv()).server_content
            if content is None:
                continue
            if content.model_turn is not None:
                for part in content.model_turn.parts:
                    if part.inline_data is not None:
                        size += len(part.inline_data.data)
                        audio += 1
            if content.output_transcription is not None:
                transcripts += 1
            if content.turn_complete:
                return audio, transcripts, size

    async def send_audio(self, pcm: bytes) -> None:
        message = _ClientMessage(_RealtimeInput(_Blob(INPUT_MIME, pcm)))
        await self._ws.send(_ENCODER.encode(message), text=True)

    async def paced(self, rec: Recorder) -> None:
        recv, decode = self._ws.recv, _DECODER.decode
        stamp, now = rec.stamp, time.monotonic
        try:
            while True:
                content = decode(await recv()).server_content
                if content is not None and content.model_turn is not None:
                    for part in content.model_turn.parts:
                        if part.inline_data is not None:
                            stamp(part.inline_data.data, now())
        except websockets.ConnectionClosed:
            return


# -- google-genai ------------------------------------------------------------------------------


class GenaiClient(Client):
    """The official SDK: ``client.aio.live.connect`` (``wss://`` only with an API key)."""

    name = "genai"
    tls_only = True
    _shared: ClassVar[dict[str, Any]] = {}

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._cm: Any = None
        self._session: Any = None

    def _client(self) -> Any:
        client = self._shared.get(self.target.url)
        if client is None:
            from google import genai
            from google.genai import types

            options = types.HttpOptions(
                base_url=f"https://127.0.0.1:{self.target.port}",
                async_client_args={"ssl": self.target.context()},
            )
            client = self._shared[self.target.url] = genai.Client(
                api_key="bench-key", http_options=options
            )
        return client

    async def open(self) -> None:
        from google.genai import types

        config = types.LiveConnectConfig(response_modalities=[types.Modality.AUDIO])
        self._cm = self._client().aio.live.connect(model=MODEL, config=config)
        self._session = await self._cm.__aenter__()

    async def command(self, text: str) -> None:
        await self._session.send_realtime_input(text=text)

    async def drain_turn(self) -> tuple[int, int, int]:
        audio = transcripts = size = 0
        async for message in self._session.receive():
            content = message.server_content
            if content is None:
                continue
            if content.model_turn is not None:
                for part in content.model_turn.parts or ():
                    if part.inline_data is not None:
                        size += len(part.inline_data.data or b"")
                        audio += 1
            if content.output_transcription is not None:
                transcripts += 1
        return audio, transcripts, size

    async def send_audio(self, pcm: bytes) -> None:
        from google.genai import types

        await self._session.send_realtime_input(audio=types.Blob(data=pcm, mime_type=INPUT_MIME))

    async def paced(self, rec: Recorder) -> None:
        stamp, now = rec.stamp, time.monotonic
        try:
            while True:
                async for message in self._session.receive():
                    content = message.server_content
                    if content is not None and content.model_turn is not None:
                        for part in content.model_turn.parts or ():
                            if part.inline_data is not None:
                                stamp(part.inline_data.data, now())
        except Exception:  # the SDK raises APIError (or worse) once the socket closes
            return

    async def close(self) -> None:
        await self._cm.__aexit__(None, None, None)


CLIENTS: dict[str, type[Client]] = {
    cls.name: cls
    for cls in (
        RealtalkClient,
        RealtalkBigRingClient,
        RealtalkCaFileClient,
        GenaiClient,
        OrjsonClient,
        MsgspecClient,
    )
}


def make_client(name: str, target: Target) -> Client:
    """A new, unopened session of client ``name`` (``oa-*``: :mod:`bench.clients_openai`)."""
    if name.startswith("oa-"):
        from bench.clients_openai import OPENAI_CLIENTS

        return OPENAI_CLIENTS[name](target)
    return CLIENTS[name](target)
