"""realtalk's WebSocket client on uvloop, whose transports do not subclass asyncio's.

Each test runs a whole session in its own uvloop event loop: connect to the emulator
(``ws://`` and ``wss://``), a text turn, a keepalive ping, a close.
"""

from __future__ import annotations

import asyncio

import pytest

import realtalk
from realtalk.emulator import Emulator
from realtalk.events import TextDelta, TurnComplete

uvloop = pytest.importorskip("uvloop")


async def text_turn(tls: bool) -> tuple[str, float | None, type]:
    async with Emulator(tls=tls) as emulator:
        tls_options = {"ssl": emulator.ssl_client_context()} if tls else {}
        config = {"generationConfig": {"responseModalities": ["TEXT"]}}
        async with realtalk.connect(
            "gemini", model="gemini-test", url=emulator.url, config=config, **tls_options
        ) as session:
            await session.send_text("ping")
            reply = ""
            async with asyncio.timeout(10):  # a guard against a hang, not a timing check
                async for event in session.events():
                    if isinstance(event, TextDelta):
                        reply += event.text
                    elif isinstance(event, TurnComplete):
                        break
            conn = session._runner._link.conn  # type: ignore[union-attr]
            rtt = await conn.ping()
            return reply, rtt, type(asyncio.get_running_loop())


@pytest.mark.parametrize("tls", [False, True], ids=["ws", "wss"])
def test_a_session_on_uvloop(tls: bool) -> None:
    reply, rtt, loop_type = uvloop.run(text_turn(tls))
    assert loop_type is uvloop.Loop
    assert reply == "You said: ping"
    assert rtt is not None and rtt >= 0.0
