"""The public event names (stable). See :mod:`realtalk.protocol.events` for each event."""

from realtalk.protocol.events import *  # noqa: F403
from realtalk.protocol.events import __all__ as __all__
