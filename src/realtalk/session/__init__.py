"""The asyncio session runner (L0): :func:`connect`, :class:`Session`, the fan-out ring."""

from realtalk.session.options import SessionOptions
from realtalk.session.policy import ReconnectPolicy
from realtalk.session.ring import Cursor, EventRing
from realtalk.session.runner import SessionStatistics
from realtalk.session.session import EventIterator, Session, connect
from realtalk.session.state import SessionStatus
from realtalk.session.tokens import create_ephemeral_token

__all__ = [
    "Cursor",
    "EventIterator",
    "EventRing",
    "ReconnectPolicy",
    "Session",
    "SessionOptions",
    "SessionStatistics",
    "SessionStatus",
    "connect",
    "create_ephemeral_token",
]
