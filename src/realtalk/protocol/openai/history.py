"""The client-side item log: the conversation as the server confirmed it.

OpenAI Realtime has no session resumption: a new connection starts an empty
conversation. To continue after a dropped connection, the session keeps every
item the server reported (``conversation.item.added`` / ``.done``, minus
``conversation.item.deleted``) and re-creates them on the new connection with
``conversation.item.create``, in order.

What cannot be carried over is said, not hidden: audio content cannot be sent back
as audio in an assistant item nor re-uploaded by the client without its bytes, so
audio parts are replaced by their transcripts (when known) and the restoration is
reported as incomplete.
"""

from __future__ import annotations

from collections.abc import Iterable

from realtalk.protocol.openai import wire

__all__ = ["ItemLog", "Restoration"]


class Restoration:
    """Items to re-create and whether they restore the conversation exactly.

    Attributes:
        items: The items, oldest first, without server ids.
        complete: False when audio had to be replaced by its transcript or dropped.
    """

    __slots__ = ("complete", "items")

    def __init__(self, items: list[wire.Item], complete: bool) -> None:
        self.items = items
        self.complete = complete


def _content_for_replay(part: wire.Content) -> tuple[wire.Content | None, bool]:
    """A replayable version of one content part, and whether it is exact."""
    if isinstance(part, (wire.InputAudioContent,)):
        transcript = part.transcript if isinstance(part.transcript, str) else None
        return (wire.InputTextContent(text=transcript) if transcript else None), False
    if isinstance(part, wire.OutputAudioContent):  # includes the beta AudioContent
        transcript = part.transcript if isinstance(part.transcript, str) else None
        return (wire.OutputTextContent(text=transcript) if transcript else None), False
    if isinstance(part, wire.OutputTextContent) and not isinstance(part, wire.TextContent):
        return part, True
    if isinstance(part, wire.TextContent):  # beta name of assistant text
        return wire.OutputTextContent(text=part.text), True
    return part, True


class ItemLog:
    """Items of the default conversation, in order, bounded.

    Args:
        limit: How many items are kept; the oldest go first (reported as incomplete).
    """

    def __init__(self, limit: int = 512) -> None:
        self._items: dict[str, wire.Item] = {}
        self._limit = limit
        self._overflowed = False

    def __len__(self) -> int:
        return len(self._items)

    def record(self, item: wire.Item) -> None:
        """An item was added or completed (a later version replaces an earlier one)."""
        if not isinstance(
            item, (wire.MessageItem, wire.FunctionCallItem, wire.FunctionCallOutputItem)
        ):
            return
        if not item.id:
            return
        self._items[item.id] = item
        if len(self._items) > self._limit:
            self._items.pop(next(iter(self._items)))
            self._overflowed = True

    def delete(self, item_id: str) -> None:
        """The item was deleted from the conversation."""
        self._items.pop(item_id, None)

    def clear(self) -> None:
        """Forget everything (after a restoration was handed out, or a new conversation)."""
        self._items.clear()
        self._overflowed = False

    def restoration(self) -> Restoration:
        """The items to re-create on a new connection."""
        complete = not self._overflowed
        items: list[wire.Item] = []
        for item in self._items.values():
            if isinstance(item, wire.MessageItem):
                parts: list[wire.Content] = []
                for part in item.content:
                    replay, exact = _content_for_replay(part)
                    complete = complete and exact
                    if replay is not None:
                        parts.append(replay)
                if parts:
                    items.append(wire.MessageItem(role=item.role, content=parts))
            elif isinstance(item, wire.FunctionCallItem):
                items.append(
                    wire.FunctionCallItem(
                        call_id=item.call_id, name=item.name, arguments=item.arguments
                    )
                )
            elif isinstance(item, wire.FunctionCallOutputItem):
                items.append(wire.FunctionCallOutputItem(call_id=item.call_id, output=item.output))
        return Restoration(items, complete)

    def extend(self, items: Iterable[wire.Item]) -> None:
        """Record several items in order."""
        for item in items:
            self.record(item)
