"""Fixtures for emulator tests: a raw client over real sockets or over a memory pair."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from realtalk.errors import ConnectionClosed
from realtalk.protocol.gemini import codec, wire
from realtalk.transport import Connection

from .harnesslib import HarnessBase, harnesses

AI_STUDIO_MODEL = "models/gemini-live-test"
VERTEX_MODEL = "projects/p/locations/us-central1/publishers/google/models/gemini-live-test"
WAIT = 5.0  # generous guard against hangs; never a timing assertion


class Client:
    """A raw Gemini client: sends frames, decodes server frames as plain JSON."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.raw_frames: list[str | bytes] = []

    async def send(self, message: dict[str, Any] | wire.ClientMessage | bytes | str) -> None:
        if isinstance(message, wire.ClientMessage):
            message = codec.encode_client(message).decode()
        elif isinstance(message, dict):
            message = json.dumps(message)
        await self.conn.send(message)

    async def text(self, text: str) -> None:
        await self.send(
            {
                "clientContent": {
                    "turns": [{"role": "user", "parts": [{"text": text}]}],
                    "turnComplete": True,
                }
            }
        )

    async def audio(self, pcm: bytes, rate: int = 16000, chunk_seconds: float = 0.04) -> None:
        step = int(rate * chunk_seconds) * 2
        for i in range(0, len(pcm), step):
            await self.conn.send(codec.encode_audio(pcm[i : i + step], rate).decode())

    async def recv_raw(self) -> str | bytes:
        async with asyncio.timeout(WAIT):
            frame = await self.conn.recv()
        self.raw_frames.append(frame)
        return frame

    async def recv(self) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(await self.recv_raw())
        return message

    async def until(self, predicate: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        """Receive messages up to and including the first one matching ``predicate``."""
        out = []
        while True:
            message = await self.recv()
            out.append(message)
            if predicate(message):
                return out

    async def turn(self) -> list[dict[str, Any]]:
        """Receive up to and including the next turnComplete."""
        return await self.until(lambda m: m.get("serverContent", {}).get("turnComplete", False))

    async def closed(self) -> ConnectionClosed:
        """Receive until the connection closes; return the close."""
        while True:
            try:
                await self.recv_raw()
            except ConnectionClosed as exc:
                return exc

    async def close(self) -> None:
        await self.conn.close()


def content(messages: list[dict[str, Any]], key: str) -> list[Any]:
    """Values of ``serverContent[key]`` across messages, in order."""
    return [m["serverContent"][key] for m in messages if key in m.get("serverContent", {})]


def model_text(messages: list[dict[str, Any]]) -> str:
    return "".join(
        p.get("text", "") for turn in content(messages, "modelTurn") for p in turn["parts"]
    )


def transcript(messages: list[dict[str, Any]], key: str = "outputTranscription") -> str:
    return "".join(t.get("text", "") for t in content(messages, key))


def kinds(messages: list[dict[str, Any]]) -> list[str]:
    """``serverContent.<field>`` or the top-level key of each message."""
    out = []
    for m in messages:
        sc = m.get("serverContent")
        out.append(next(iter(sc)) if sc else next(k for k in m if k != "usageMetadata"))
    return out


class Harness(HarnessBase):
    """An emulator plus a way to reach it (real sockets or a memory pair)."""

    clients: list[Client]

    async def open(
        self,
        platform: str = "ai_studio",
        *,
        path: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Client:
        url = self.emulator.endpoint_url(platform)
        if path is not None:
            url = url.split("/ws/")[0] + path
        client = Client(await self.connector(url, headers or {}))
        self.clients.append(client)
        return client

    async def connect(
        self, setup: dict[str, Any] | None = None, platform: str = "ai_studio", **kw: Any
    ) -> Client:
        """Open, send a setup and wait for setupComplete (and the first resumption update)."""
        client = await self.open(platform, **kw)
        body = {"model": AI_STUDIO_MODEL if platform == "ai_studio" else VERTEX_MODEL}
        body.update(setup or {})
        await client.send({"setup": body})
        first = await client.recv()
        assert "setupComplete" in first, first
        if "sessionResumption" in body or "session_resumption" in body:
            update = await client.recv()
            assert "sessionResumptionUpdate" in update
            client.first_update = update  # type: ignore[attr-defined]
        return client


Factory = Callable[..., Awaitable[Harness]]


@pytest.fixture(params=["memory", "ws"])
async def make(request: pytest.FixtureRequest) -> AsyncIterator[Factory]:
    """Build an emulator reachable over the parametrized transport."""
    async for factory in harnesses(request.param, Harness):
        yield factory
