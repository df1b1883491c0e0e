"""A local, protocol-faithful Gemini Live and OpenAI Realtime server for tests and benchmarks.

::

    from realtalk.emulator import Emulator, Scenario, Turn

    async with Emulator(Scenario(turns=[Turn(match="hi", reply="Hello!")])) as emu:
        url = emu.url  # ws://127.0.0.1:PORT; clients append the provider path
        # (Gemini's /ws/... paths, or OpenAI's /v1/realtime?model=...)

Without sockets: ``MemoryConnector(emu.handler)``. The default behaviour (an echo
assistant), the scenario format, faults and TLS are described in ``docs/emulator.md``.
"""

from realtalk.emulator.cli import run_emulator_cli
from realtalk.emulator.conversation import Entry
from realtalk.emulator.openai_link import OpenAIConnectionRecord
from realtalk.emulator.records import ConnectionRecord, IssuedHandle, LogEntry
from realtalk.emulator.reply import ECHO_PREFIX
from realtalk.emulator.scenario import Fault, FaultKind, Scenario, ToolCallStep, Turn
from realtalk.emulator.server import Emulator
from realtalk.emulator.state import ConnectionState

__all__ = [
    "ECHO_PREFIX",
    "ConnectionRecord",
    "ConnectionState",
    "Emulator",
    "Entry",
    "Fault",
    "FaultKind",
    "IssuedHandle",
    "LogEntry",
    "OpenAIConnectionRecord",
    "Scenario",
    "ToolCallStep",
    "Turn",
    "run_emulator_cli",
]
