"""Function calls the emulated model has made and not yet seen answered (gemini-live.md §6.6)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from realtalk.protocol.gemini import wire

__all__ = ["PendingCall", "PendingCalls"]


@dataclass(eq=False)
class PendingCall:
    """One outstanding call.

    Attributes:
        id: The call id.
        name: The function name.
        non_blocking: Whether the model keeps talking meanwhile.
        user_text: What the user said in the turn that made the call.
        result_reply: Template for announcing a NON_BLOCKING result (None = default).
        future: For blocking calls, resolved with the response object.
    """

    id: str
    name: str
    non_blocking: bool
    user_text: str = ""
    result_reply: str | None = None
    future: asyncio.Future[dict[str, Any]] | None = field(default=None, repr=False)


class PendingCalls:
    """The outstanding calls of one connection, by id, in the order they were made."""

    def __init__(self) -> None:
        self._calls: dict[str, PendingCall] = {}

    def __len__(self) -> int:
        return len(self._calls)

    def add(self, call: PendingCall) -> None:
        """Register a call; a blocking call gets a future to wait on."""
        if not call.non_blocking:
            call.future = asyncio.get_running_loop().create_future()
        self._calls[call.id] = call

    def get(self, call_id: str) -> PendingCall | None:
        """The outstanding call with ``call_id``, if any."""
        return self._calls.get(call_id)

    def remove(self, call_id: str) -> PendingCall | None:
        """Forget a call (answered or withdrawn)."""
        return self._calls.pop(call_id, None)

    def resolve(self, response: wire.FunctionResponse) -> PendingCall | None:
        """Match a function response to its call and record the answer.

        A response without an id matches the oldest outstanding call of that name.
        A blocking call's future gets the response object; a NON_BLOCKING call stays
        outstanding while ``willContinue`` is true. Returns the call, or None when
        the response matches nothing outstanding.
        """
        call = self._calls.get(response.id) if response.id else None
        if call is None and not response.id:
            call = next((c for c in self._calls.values() if c.name == response.name), None)
        if call is None:
            return None
        if not (call.non_blocking and response.will_continue):
            del self._calls[call.id]
        if call.future is not None and not call.future.done():
            call.future.set_result(response.response or {})
        return call

    def drop_all(self) -> list[str]:
        """Withdraw every outstanding call; return their ids (for ``toolCallCancellation``)."""
        ids = list(self._calls)
        for call in self._calls.values():
            if call.future is not None and not call.future.done():
                call.future.cancel()
        self._calls.clear()
        return ids
