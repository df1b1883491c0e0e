"""Tests for the echo assistant's planning (pure)."""

from __future__ import annotations

import itertools

from realtalk.emulator import Scenario, ToolCallStep, Turn
from realtalk.emulator.reply import (
    fill,
    fragments,
    parse_call,
    plan_turn,
    result_text,
)

DECLARED = {"get_weather": False, "start_timer": True}


def _plan(text: str, scenario: Scenario | None = None, turn: int = 1):  # type: ignore[no-untyped-def]
    ids = itertools.count(1)
    return plan_turn(
        text,
        turn=turn,
        scenario=scenario or Scenario(),
        used_rules=set(),
        declared=DECLARED,
        new_id=lambda: f"call-{next(ids)}",
    )


def test_echo_plan() -> None:
    plan = _plan("hello")
    assert plan.calls == () and plan.reply is not None
    assert fill(plan.reply, text=plan.user_text) == "You said: hello"


def test_call_syntax() -> None:
    assert parse_call('call get_weather {"city": "Paris"}', DECLARED) == (
        "get_weather",
        {"city": "Paris"},
    )
    assert parse_call("call start_timer", DECLARED) == ("start_timer", {})
    assert parse_call('call unknown {"a": 1}', DECLARED) is None
    assert parse_call("call get_weather {bad json}", DECLARED) is None
    assert parse_call("call get_weather [1]", DECLARED) is None
    assert parse_call("please call get_weather", DECLARED) is None


def test_call_plan_blocking_and_non_blocking() -> None:
    blocking = _plan('call get_weather {"city": "Paris"}')
    assert blocking.blocking and blocking.calls[0].id == "call-1"
    assert blocking.calls[0].args == {"city": "Paris"}
    non_blocking = _plan("call start_timer {}")
    assert not non_blocking.blocking and non_blocking.calls[0].non_blocking


def test_scripted_rule_overrides_echo() -> None:
    scenario = Scenario(
        turns=[
            Turn(
                match="weather", tool_calls=[ToolCallStep("get_weather", {"city": "Oslo"}, id="w1")]
            ),
            Turn(turn=2, reply="Turn two: {text}"),
        ]
    )
    plan = _plan("weather please", scenario)
    assert plan.calls[0].id == "w1" and plan.reply is None
    plan = _plan("anything", scenario, turn=2)
    assert fill(plan.reply or "", text=plan.user_text) == "Turn two: anything"


def test_result_text() -> None:
    assert result_text(None, "f", {"output": {"a": 1}}) == 'f returned {"output":{"a":1}}'
    assert result_text("{name} said {result} to {text}", "f", {"x": "y"}, "q") == (
        'f said {"x":"y"} to q'
    )


def test_fragments_concatenate_back() -> None:
    text = "  The quick brown fox jumps over the lazy dog, twice.  "
    parts = fragments(text, max_chars=10)
    assert "".join(parts) == text
    assert len(parts) > 3
    assert fragments("") == []
    assert fragments("supercalifragilistic", 5) == ["supercalifragilistic"]
