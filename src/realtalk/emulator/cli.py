"""The entry point the ``realtalk emulator`` command calls."""

from __future__ import annotations

import sys

from realtalk.emulator.scenario import Scenario
from realtalk.emulator.server import Emulator

__all__ = ["PROVIDERS", "run_emulator_cli"]

#: Providers the emulator can serve.
PROVIDERS = ("gemini", "openai")


async def run_emulator_cli(
    provider: str, port: int, scenario: str | None, tls: bool, host: str = "127.0.0.1"
) -> None:
    """Serve an emulator until cancelled.

    One server speaks both protocols (Gemini Live paths and OpenAI's ``/v1/realtime``);
    ``provider`` only names the one the caller means to use. Prints the base URL as
    the first line of standard output, then, with TLS, the path of the CA's PEM file
    on the second line (each flushed at once).
    Cancelling it is safe: the server is closed and the CA file removed.

    Args:
        provider: ``"gemini"`` or ``"openai"``.
        port: Port to listen on (0 = any free port).
        scenario: Path of a JSON or YAML scenario file, or None.
        tls: Serve ``wss://`` with a throwaway CA.
        host: Address to listen on.

    Raises:
        ValueError: Unsupported provider.
        ConfigError: Invalid scenario file or options.
        TransportError: The address cannot be bound.
    """
    if provider not in PROVIDERS:
        raise ValueError(f"unsupported emulator provider {provider!r}; choose from {PROVIDERS}")
    loaded = Scenario.from_file(scenario) if scenario is not None else None
    async with Emulator(loaded, host=host, port=port, tls=tls) as emulator:
        print(emulator.url, file=sys.stdout, flush=True)
        if tls:
            print(emulator.ca_file, file=sys.stdout, flush=True)
        await emulator.serve_forever()
