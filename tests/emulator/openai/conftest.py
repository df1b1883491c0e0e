"""Fixtures for the OpenAI emulator: a raw Realtime client over real sockets or a memory pair."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from realtalk.errors import ConnectionClosed
from realtalk.transport import Connection

from ..harnesslib import HarnessBase, harnesses

MODEL = "gpt-realtime"
WAIT = 5.0  # guard against hangs; never a timing assertion
Event = dict[str, Any]


class Client:
    """A raw OpenAI Realtime client: sends JSON events, decodes server frames as plain JSON."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.received: list[Event] = []
        self.session: Event = {}  # from session.created
        self.limits: Event = {}  # the last rate_limits.updated

    async def send(self, event: Event | str) -> None:
        await self.conn.send(event if isinstance(event, str) else json.dumps(event))

    async def recv(self) -> Event:
        async with asyncio.timeout(WAIT):
            frame = await self.conn.recv()
        assert isinstance(frame, str), "OpenAI events travel in text frames"
        event: Event = json.loads(frame)
        self.received.append(event)
        return event

    async def until(self, kind: str) -> list[Event]:
        """Receive events up to and including the first of type ``kind``."""
        out = []
        while True:
            event = await self.recv()
            out.append(event)
            if event["type"] == kind:
                return out

    async def response(self) -> list[Event]:
        """Receive up to and including the next ``response.done``, then the
        ``rate_limits.updated`` that follows it (kept in :attr:`limits`)."""
        events = await self.until("response.done")
        limits = await self.recv()
        assert limits["type"] == "rate_limits.updated", limits
        self.limits = limits
        return events

    async def update(self, **session: Any) -> Event:
        """``session.update`` (type realtime added); returns the ``session.updated`` event."""
        await self.send({"type": "session.update", "session": {"type": "realtime", **session}})
        event = await self.recv()
        assert event["type"] == "session.updated", event
        return event

    async def say(self, text: str, *, respond: bool = True, **response: Any) -> None:
        """A user text message, then (by default) ``response.create``."""
        item = {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": text}],
        }
        await self.send({"type": "conversation.item.create", "item": item})
        assert [e["type"] for e in [await self.recv(), await self.recv()]] == [
            "conversation.item.added",
            "conversation.item.done",
        ]
        if respond:
            body: Event = {"type": "response.create"}
            if response:
                body["response"] = response
            await self.send(body)

    async def append(self, pcm: bytes, chunk_ms: int = 40, rate: int = 24000) -> None:
        step = rate * 2 * chunk_ms // 1000
        for i in range(0, len(pcm), step):
            data = base64.b64encode(pcm[i : i + step]).decode()
            await self.send({"type": "input_audio_buffer.append", "audio": data})

    async def closed(self) -> ConnectionClosed:
        """Receive until the connection closes; return the close."""
        while True:
            try:
                await self.recv()
            except ConnectionClosed as exc:
                return exc

    async def close(self) -> None:
        await self.conn.close()


def types(events: list[Event]) -> list[str]:
    return [e["type"] for e in events]


def joined(events: list[Event], kind: str, key: str = "delta") -> str:
    return "".join(e[key] for e in events if e["type"] == kind)


class Harness(HarnessBase):
    """An emulator plus a way to reach its OpenAI endpoint (real sockets or a memory pair)."""

    clients: list[Client]

    async def open(
        self, query: str = f"?model={MODEL}", headers: dict[str, str] | None = None
    ) -> Client:
        url = self.emulator.endpoint_url("openai") + query
        client = Client(await self.connector(url, headers or {}))
        self.clients.append(client)
        return client

    async def connect(self, **kw: Any) -> Client:
        """Open and read ``session.created``."""
        client = await self.open(**kw)
        created = await client.recv()
        assert created["type"] == "session.created", created
        client.session = created["session"]
        return client


Factory = Callable[..., Awaitable[Harness]]


@pytest.fixture(params=["memory", "ws"])
async def make(request: pytest.FixtureRequest) -> AsyncIterator[Factory]:
    """Build an emulator reachable over the parametrized transport."""
    async for factory in harnesses(request.param, Harness):
        yield factory
