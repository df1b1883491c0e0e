"""Tests for the resumption handle store."""

from __future__ import annotations

import pytest

from realtalk.emulator.conversation import Conversation
from realtalk.emulator.handles import HandleStore


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_issue_and_resolve() -> None:
    conv = Conversation.new("models/x")
    conv.add("user", "text", "hi")
    store = HandleStore()
    handle = store.issue(conv.snapshot())
    conv.add("model", "text", "later")
    snap = store.get(handle)
    assert snap is not None and [e.text for e in snap.history] == ["hi"]
    restored = Conversation.restore(snap)
    assert restored.session_id == conv.session_id and restored.texts() == ["hi"]
    assert store.get("nope") is None
    assert store.issue(conv.snapshot()) != handle


def test_handles_expire_after_ttl_and_touch_extends() -> None:
    clock = Clock()
    store = HandleStore(ttl=100.0, clock=clock)
    conv = Conversation.new("models/x")
    handle = store.issue(conv.snapshot())
    clock.now += 60
    store.touch(conv.session_id)  # connection ended: valid 100 s from now
    clock.now += 60
    assert handle in store
    clock.now += 41
    assert store.get(handle) is None
    assert len(store) == 0


def test_bad_ttl() -> None:
    with pytest.raises(ValueError):
        HandleStore(ttl=0)
