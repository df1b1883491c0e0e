"""realtalk: long-lived, bidirectional sessions with realtime models.

Quick use::

    import realtalk
    from realtalk.events import TextDelta, TurnComplete

    async with realtalk.connect("gemini", model="gemini-live-2.5-flash-preview") as s:
        await s.send_text("Hello!")
        async for event in s.events():
            match event:
                case TextDelta(text=text):
                    print(text, end="")
                case TurnComplete():
                    break
"""

from realtalk import events, gemini
from realtalk.errors import (
    ConfigError,
    ConnectError,
    ConnectionClosed,
    ProtocolError,
    RealtalkError,
    ReconnectFailed,
    SessionClosed,
    SessionError,
    SetupError,
    TransportError,
)
from realtalk.live import RealtimeRunner
from realtalk.protocol.config import RealtimeConfig
from realtalk.protocol.gemini.tokens import EphemeralToken
from realtalk.protocol.secrets import Secret
from realtalk.session import (
    ReconnectPolicy,
    Session,
    SessionOptions,
    SessionStatistics,
    SessionStatus,
    connect,
    create_ephemeral_token,
)
from realtalk.session.contracts import (
    Applied,
    RealtimeSession,
    RequiresResumption,
    SessionWriter,
)

__version__ = "0.1.0"

__all__ = [
    "Applied",
    "ConfigError",
    "ConnectError",
    "ConnectionClosed",
    "EphemeralToken",
    "ProtocolError",
    "RealtalkError",
    "RealtimeConfig",
    "RealtimeRunner",
    "RealtimeSession",
    "ReconnectFailed",
    "ReconnectPolicy",
    "RequiresResumption",
    "Secret",
    "Session",
    "SessionClosed",
    "SessionError",
    "SessionOptions",
    "SessionStatistics",
    "SessionStatus",
    "SessionWriter",
    "SetupError",
    "TransportError",
    "__version__",
    "connect",
    "create_ephemeral_token",
    "events",
    "gemini",
]
