"""The OpenAI Realtime clients measured against :mod:`bench.flood_openai`.

Same interface as :mod:`bench.clients` (a flood command is user text, a turn ends
with ``response.done``), for realtalk, the official ``openai`` client and two raw
floors. Each consumes what it receives the same way: count the events, touch the
PCM bytes. Input audio is 24 kHz PCM16 (``input_rate``), 960 bytes per 20 ms.
"""

from __future__ import annotations

import base64
import time
from typing import Any, ClassVar

import msgspec
import orjson
import websockets

from bench.clients import MAX_SIZE, Client, Recorder, Target

__all__ = ["OPENAI_CLIENTS"]

MODEL = "gpt-realtime"
PATH = "/v1/realtime?model=" + MODEL
_SESSION = {"type": "realtime", "output_modalities": ["audio"]}
_AUDIO = "response.output_audio.delta"
_TRANSCRIPT = "response.output_audio_transcript.delta"
_DONE = "response.done"


def _user_text(text: str) -> bytes:
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    return orjson.dumps({"type": "conversation.item.create", "item": item})


_RESPONSE_CREATE = b'{"type":"response.create"}'


# -- realtalk ------------------------------------------------------------------------------


class OpenAIRealtalkClient(Client):
    name = "oa-realtalk"
    input_rate = 24000

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._session: Any = None
        self._events: Any = None

    async def open(self) -> None:
        import realtalk

        extra: dict[str, Any] = {"ssl": self.target.context()} if self.target.tls else {}
        self._session = await realtalk.connect(
            "openai",
            model=MODEL,
            url=self.target.url,
            config={"type": "realtime", "output_modalities": ["audio"]},
            **extra,
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


# -- raw floors ------------------------------------------------------------------------------


class _RawOpenAI(Client):
    """websockets + hand-written handshake (session.created, update, updated)."""

    input_rate = 24000

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._ws: Any = None

    async def open(self) -> None:
        extra: dict[str, Any] = {"ssl": self.target.context()} if self.target.tls else {}
        self._ws = await websockets.connect(
            self.target.url + PATH,
            compression=None,
            max_size=MAX_SIZE,
            additional_headers={"Authorization": "Bearer test"},
            **extra,
        )
        while b"session.created" not in _as_bytes(await self._ws.recv()):
            pass
        update = orjson.dumps({"type": "session.update", "session": _SESSION})
        await self._ws.send(update, text=True)
        while b"session.updated" not in _as_bytes(await self._ws.recv()):
            pass

    async def command(self, text: str) -> None:
        await self._ws.send(_user_text(text), text=True)
        await self._ws.send(_RESPONSE_CREATE, text=True)

    async def close(self) -> None:
        await self._ws.close()


def _as_bytes(data: str | bytes) -> bytes:
    return data.encode() if isinstance(data, str) else data


class OpenAIOrjsonClient(_RawOpenAI):
    """Floor A: websockets + orjson + base64.b64decode."""

    name = "oa-orjson"

    async def drain_turn(self) -> tuple[int, int, int]:
        recv, loads, b64decode = self._ws.recv, orjson.loads, base64.b64decode
        audio = transcripts = size = 0
        while True:
            event = loads(await recv())
            kind = event["type"]
            if kind == _AUDIO:
                size += len(b64decode(event["delta"]))
                audio += 1
            elif kind == _TRANSCRIPT:
                transcripts += 1
            elif kind == _DONE:
                return audio, transcripts, size

    async def send_audio(self, pcm: bytes) -> None:
        data = base64.b64encode(pcm).decode("ascii")
        await self._ws.send(f'{{"type":"input_audio_buffer.append","audio":"{data}"}}')

    async def paced(self, rec: Recorder) -> None:
        recv, loads, b64decode = self._ws.recv, orjson.loads, base64.b64decode
        stamp, now = rec.stamp, time.monotonic
        try:
            while True:
                event = loads(await recv())
                if event["type"] == _AUDIO:
                    stamp(b64decode(event["delta"]), now())
        except websockets.ConnectionClosed:
            return


class _Ev(msgspec.Struct, tag_field="type", omit_defaults=True, kw_only=True):
    event_id: str | None = None


class _AudioDelta(_Ev, tag=_AUDIO):
    response_id: str = ""
    item_id: str = ""
    output_index: int = 0
    content_index: int = 0
    delta: bytes = b""


class _TranscriptDelta(_Ev, tag=_TRANSCRIPT):
    response_id: str = ""
    item_id: str = ""
    output_index: int = 0
    content_index: int = 0
    delta: str = ""


class _Other(_Ev, tag=_DONE):
    response: dict[str, Any] | None = None


class _Created(_Ev, tag="response.created"):
    response: dict[str, Any] | None = None


class _Append(msgspec.Struct, tag_field="type", tag="input_audio_buffer.append"):
    audio: bytes


_DECODER = msgspec.json.Decoder(_AudioDelta | _TranscriptDelta | _Other | _Created)
_ENCODER = msgspec.json.Encoder()


class OpenAIMsgspecClient(_RawOpenAI):
    """Floor B: websockets + a typed msgspec decode (tagged union, ``bytes`` delta)."""

    name = "oa-msgspec"

    async def drain_turn(self) -> tuple[int, int, int]:
        recv, decode = self._ws.recv, _DECODER.decode
        audio = transcripts = size = 0
        while True:
            event = decode(await recv())
            kind = type(event)
            if kind is _AudioDelta:
                size += len(event.delta)
                audio += 1
            elif kind is _TranscriptDelta:
                transcripts += 1
            elif kind is _Other:
                return audio, transcripts, size

    async def send_audio(self, pcm: bytes) -> None:
        await self._ws.send(_ENCODER.encode(_Append(pcm)), text=True)

    async def paced(self, rec: Recorder) -> None:
        recv, decode = self._ws.recv, _DECODER.decode
        stamp, now = rec.stamp, time.monotonic
        try:
            while True:
                event = decode(await recv())
                if type(event) is _AudioDelta:
                    stamp(event.delta, now())
        except websockets.ConnectionClosed:
            return


# -- the official openai client --------------------------------------------------------------


class OpenAIOfficialClient(Client):
    """``AsyncOpenAI(...).realtime.connect(model=...)``: iterate the connection's events."""

    name = "oa-openai"
    input_rate = 24000
    _shared: ClassVar[dict[str, Any]] = {}

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._cm: Any = None
        self._conn: Any = None
        self._iter: Any = None

    def _client(self) -> Any:
        client = self._shared.get(self.target.url)
        if client is None:
            from openai import AsyncOpenAI

            client = self._shared[self.target.url] = AsyncOpenAI(
                api_key="test", websocket_base_url=f"{self.target.url}/v1"
            )
        return client

    async def open(self) -> None:
        options: dict[str, Any] = {"max_size": MAX_SIZE, "compression": None}
        if self.target.tls:
            options["ssl"] = self.target.context()
        self._cm = self._client().realtime.connect(
            model=MODEL, websocket_connection_options=options
        )
        self._conn = await self._cm.__aenter__()
        self._iter = self._conn.__aiter__()
        while (await self._iter.__anext__()).type != "session.created":
            pass
        await self._conn.session.update(session=_SESSION)
        while (await self._iter.__anext__()).type != "session.updated":
            pass

    async def command(self, text: str) -> None:
        content = [{"type": "input_text", "text": text}]
        await self._conn.conversation.item.create(
            item={"type": "message", "role": "user", "content": content}
        )
        await self._conn.response.create()

    async def drain_turn(self) -> tuple[int, int, int]:
        audio = transcripts = size = 0
        b64decode = base64.b64decode
        async for event in self._iter:
            kind = event.type
            if kind == _AUDIO:
                size += len(b64decode(event.delta))
                audio += 1
            elif kind == _TRANSCRIPT:
                transcripts += 1
            elif kind == _DONE:
                break
        return audio, transcripts, size

    async def send_audio(self, pcm: bytes) -> None:
        await self._conn.input_audio_buffer.append(audio=base64.b64encode(pcm).decode("ascii"))

    async def paced(self, rec: Recorder) -> None:
        stamp, now, b64decode = rec.stamp, time.monotonic, base64.b64decode
        try:
            async for event in self._iter:
                if event.type == _AUDIO:
                    stamp(b64decode(event.delta), now())
        except Exception:  # the SDK raises its own errors once the socket closes
            return

    async def close(self) -> None:
        await self._cm.__aexit__(None, None, None)


OPENAI_CLIENTS: dict[str, type[Client]] = {
    cls.name: cls
    for cls in (
        OpenAIRealtalkClient,
        OpenAIOrjsonClient,
        OpenAIMsgspecClient,
        OpenAIOfficialClient,
    )
}
