"""The resumption handle store shared by every connection of one emulator.

Handles are opaque random strings mapped to a :class:`~realtalk.emulator.conversation.Snapshot`.
A handle stays valid for ``ttl`` seconds (2 h by default, gemini-live.md §6.8)
after it was issued or after the last connection of its session ended,
whichever is later. The clock is injected, so expiry is testable without waiting.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from realtalk.emulator.conversation import Snapshot

__all__ = ["DEFAULT_HANDLE_TTL", "HandleStore"]

#: How long a handle stays valid (seconds).
DEFAULT_HANDLE_TTL = 2 * 60 * 60.0


@dataclass(slots=True)
class _Slot:
    snapshot: Snapshot
    expires: float


class HandleStore:
    """Issues and resolves resumption handles.

    Args:
        ttl: Validity in seconds.
        clock: Returns the current time in seconds (monotonic by default).
    """

    def __init__(
        self, ttl: float = DEFAULT_HANDLE_TTL, clock: Callable[[], float] = time.monotonic
    ):
        if ttl <= 0:
            raise ValueError(f"ttl must be positive, got {ttl}")
        self.ttl = ttl
        self._clock = clock
        self._slots: dict[str, _Slot] = {}

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, handle: object) -> bool:
        return isinstance(handle, str) and self.get(handle) is not None

    def issue(self, snapshot: Snapshot) -> str:
        """Store ``snapshot`` and return a new handle for it."""
        self._purge()
        handle = secrets.token_urlsafe(24)
        self._slots[handle] = _Slot(snapshot, self._clock() + self.ttl)
        return handle

    def get(self, handle: str) -> Snapshot | None:
        """Return the snapshot of a valid handle, or None when unknown or expired."""
        slot = self._slots.get(handle)
        if slot is None:
            return None
        if slot.expires <= self._clock():
            del self._slots[handle]
            return None
        return slot.snapshot

    def touch(self, session_id: str) -> None:
        """Restart the validity of every handle of ``session_id`` (a connection ended)."""
        expires = self._clock() + self.ttl
        for slot in self._slots.values():
            if slot.snapshot.session_id == session_id:
                slot.expires = max(slot.expires, expires)

    def _purge(self) -> None:
        now = self._clock()
        for handle in [h for h, s in self._slots.items() if s.expires <= now]:
            del self._slots[handle]
