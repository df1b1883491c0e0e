"""The emulator harness both emulator conftests build on: an emulator reachable over
the parametrized transport (a memory pair or real sockets), torn down and checked
(no connection ended with an emulator error) after the test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from realtalk.emulator import Emulator, Scenario
from realtalk.transport import Connector, MemoryConnector


class HarnessBase:
    """An emulator plus a way to reach it; subclasses add their provider's clients."""

    def __init__(self, emulator: Emulator, connector: Connector, transport: str) -> None:
        self.emulator = emulator
        self.connector = connector
        self.transport = transport
        self.clients: list[Any] = []


H = TypeVar("H", bound=HarnessBase)


async def harnesses(
    transport: str, build: Callable[[Emulator, Connector, str], H]
) -> AsyncIterator[Callable[..., Awaitable[H]]]:
    """Yield a factory of harnesses over ``transport`` ("memory" or "ws"); clean up after."""
    made: list[H] = []

    async def factory(scenario: Scenario | None = None, **options: Any) -> H:
        emulator = Emulator(scenario, **options)
        if transport == "ws":
            await emulator.start()
            connector: Connector = emulator.connector()
        else:
            connector = MemoryConnector(emulator.handler)
        harness = build(emulator, connector, transport)
        made.append(harness)
        return harness

    yield factory
    for harness in made:
        for client in harness.clients:
            await client.close()
        if isinstance(harness.connector, MemoryConnector):
            await harness.connector.aclose()
        await harness.emulator.aclose()
        for record in harness.emulator.connections:
            assert record.error is None, record.error
