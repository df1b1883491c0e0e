"""The asyncio session runner (L0): :func:`connect`, :class:`Session`, the fan-out ring."""

from realtalk.session.options import SessionOptions
from realtalk.session.ring import Cursor, EventRing
from realtalk.session.session import EventIterator, Session, connect
from realtalk.session.state import SessionStatus

__all__ = [
    "Cursor",
    "EventIterator",
    "EventRing",
    "Session",
    "SessionOptions",
    "SessionStatus",
    "connect",
]
