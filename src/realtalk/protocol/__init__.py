"""Sans-I/O protocol layer: bytes in, events out; commands in, bytes out.

Nothing here imports asyncio, websockets, ``time`` or ``random``; it can be
tested without an event loop.
"""

__all__: list[str] = []
