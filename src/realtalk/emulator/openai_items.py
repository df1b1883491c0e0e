"""The default conversation of one emulated OpenAI session (openai-realtime.md §3.4, §4.5-§4.8).

:class:`ItemStore` keeps the items in order (``previous_item_id`` chains, inserts at
the root or after an item, deletes) and mirrors them into the shared
:class:`~realtalk.emulator.conversation.Conversation` history that connection
records expose. :class:`StoredItem` is the server's copy of one item: assistant
items grow while their frames go out, so the history always says exactly what the
client was sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from realtalk.emulator.conversation import Conversation, Entry
from realtalk.emulator.reply import compact_json
from realtalk.protocol.openai import wire

__all__ = ["ItemStore", "StoredItem", "render_output"]

ItemType = Literal["message", "function_call", "function_call_output"]


def render_output(output: str) -> str:
    """A function output as the echo assistant quotes it: compact JSON when it is JSON."""
    try:
        return compact_json(json.loads(output))
    except ValueError:
        return output


@dataclass(eq=False)
class StoredItem:
    """The server's copy of one conversation item.

    Attributes:
        id: The item id.
        type: ``message``, ``function_call`` or ``function_call_output``.
        role: ``user``, ``system`` or ``assistant`` (messages).
        parts: Content parts of client-created messages, as received.
        status: ``completed``, ``in_progress`` or ``incomplete``.
        modality: ``audio`` or ``text`` for model messages.
        text: Model text or audio transcript sent so far; the transcript of user audio.
        audio: Audio bytes in the item's format (user input or model output sent so far).
        rate: Sample rate of ``audio``; ``sample_width``: bytes per sample (1 for G.711).
        truncated_ms: Where the client truncated the model audio, if it did.
        call_id, name, arguments, output: Function call fields.
        turn: The user turn number of a user message (1-based).
        transcribed: Whether the client was sent the transcript of user audio (items
            show ``transcript: null`` until then).
    """

    id: str
    type: ItemType
    role: str | None = None
    parts: list[wire.Content] = field(default_factory=list)
    status: str = "completed"
    modality: Literal["audio", "text"] | None = None
    text: str = ""
    audio: bytearray = field(default_factory=bytearray, repr=False)
    rate: int = 24000
    sample_width: int = 2
    truncated_ms: int | None = None
    call_id: str = ""
    name: str = ""
    arguments: str = ""
    output: str = ""
    turn: int = 0
    transcribed: bool = False

    @property
    def audio_ms(self) -> int:
        """Milliseconds of audio the item holds (after truncation)."""
        full = len(self.audio) // self.sample_width * 1000 // self.rate
        return full if self.truncated_ms is None else min(full, self.truncated_ms)

    @property
    def is_model_audio(self) -> bool:
        """Whether this is an assistant message with audio content (truncatable)."""
        return self.role == "assistant" and self.modality == "audio"

    def user_text(self) -> str:
        """What a user message says: its texts, or its audio transcript."""
        texts = [p.text for p in self.parts if isinstance(p, wire.InputTextContent)]
        return " ".join(texts) if texts else self.text

    def to_wire(self, *, with_audio: bool = False) -> wire.Item:
        """The item as the server sends it (audio bytes only when asked, §3.4)."""
        common = {"id": self.id, "object": "realtime.item", "status": self.status}
        if self.type == "function_call":
            return wire.FunctionCallItem(
                call_id=self.call_id, name=self.name, arguments=self.arguments, **common
            )
        if self.type == "function_call_output":
            return wire.FunctionCallOutputItem(call_id=self.call_id, output=self.output, **common)
        role = self.role or "user"
        return wire.MessageItem(role=role, content=self._content(with_audio), **common)

    def _content(self, with_audio: bool) -> list[wire.Content]:
        audio = bytes(self.audio) if with_audio and self.audio else None
        if self.modality is not None and self.status == "in_progress":
            return []  # a model message being generated (§5.12 output_item.added)
        if self.modality == "audio":
            heard = "" if self.truncated_ms is not None else self.text
            return [wire.OutputAudioContent(audio=audio, transcript=heard)]
        if self.modality == "text":
            return [wire.OutputTextContent(text=self.text)]
        parts: list[wire.Content] = []
        for part in self.parts:
            if isinstance(part, wire.InputAudioContent):
                transcript = self.text if self.transcribed else None
                parts.append(wire.InputAudioContent(audio=audio, transcript=transcript))
            else:
                parts.append(part)
        return parts

    def entry(self, names: dict[str, str]) -> Entry:
        """The history entry of this item (``names``: call id -> function name)."""
        seconds = self.audio_ms / 1000
        if self.type == "function_call":
            return Entry("model", "tool_call", f"{self.name} {self.arguments}")
        if self.type == "function_call_output":
            name = names.get(self.call_id, self.call_id)
            return Entry("tool", "tool_response", f"{name} {render_output(self.output)}")
        if self.role == "assistant":
            text = "" if self.truncated_ms is not None else self.text
            return Entry("model", "audio" if self.modality == "audio" else "text", text, seconds)
        if self.role == "system":
            return Entry("user", "system", self.user_text())
        has_audio = any(isinstance(p, wire.InputAudioContent) for p in self.parts)
        return Entry("user", "audio" if has_audio else "text", self.user_text(), seconds)


class ItemStore:
    """The ordered items of the default conversation, mirrored into ``conversation.history``."""

    def __init__(self, conversation: Conversation) -> None:
        self._conv = conversation
        self._items: list[StoredItem] = []

    def __contains__(self, item_id: object) -> bool:
        return any(item.id == item_id for item in self._items)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def items(self) -> list[StoredItem]:
        """The items, oldest first (a copy)."""
        return list(self._items)

    def get(self, item_id: str) -> StoredItem | None:
        """The item with ``item_id``, if present."""
        return next((item for item in self._items if item.id == item_id), None)

    def previous_id(self, item_id: str) -> str | None:
        """Id of the item before ``item_id`` (None for the first)."""
        for index, item in enumerate(self._items):
            if item.id == item_id:
                return self._items[index - 1].id if index else None
        return None

    def insert(self, item: StoredItem, after: str | None = None) -> str | None:
        """Add an item: appended (``after`` None), first (``"root"``) or after an item.

        Returns:
            The ``previous_item_id`` to report.

        Raises:
            KeyError: ``after`` names no item.
        """
        if after is None:
            self._items.append(item)
        elif after == "root":
            self._items.insert(0, item)
        else:
            index = next((i for i, it in enumerate(self._items) if it.id == after), None)
            if index is None:
                raise KeyError(after)
            self._items.insert(index + 1, item)
        self.sync()
        return self.previous_id(item.id)

    def delete(self, item_id: str) -> bool:
        """Remove an item; False if it is not there."""
        item = self.get(item_id)
        if item is None:
            return False
        self._items.remove(item)
        self.sync()
        return True

    def function_name(self, call_id: str) -> str | None:
        """The name of the function call with ``call_id``, if the conversation has it."""
        return next(
            (i.name for i in self._items if i.type == "function_call" and i.call_id == call_id),
            None,
        )

    def sync(self) -> None:
        """Rebuild the conversation history from the items (call after any change)."""
        names = {i.call_id: i.name for i in self._items if i.type == "function_call"}
        self._conv.history[:] = [item.entry(names) for item in self._items]
