"""Tests for the scenario model and its JSON/YAML loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from realtalk.emulator import Fault, Scenario, ToolCallStep, Turn
from realtalk.errors import ConfigError

DATA = {
    "turns": [
        {
            "match": "(?i)weather",
            "tool_calls": [{"name": "get_weather", "args": {"city": "Paris"}}],
        },
        {"turn": 2, "reply": "Second turn: {text}", "once": True},
    ],
    "faults": [{"kind": "close", "after_messages": 3, "code": 1011, "reason": "boom"}],
    "input_transcripts": ["hello there"],
    "connection_lifetime": 5,
    "go_away_time_left": 1.5,
}

YAML = """
turns:
  - match: "(?i)weather"
    tool_calls:
      - name: get_weather
        args: {city: Paris}
  - turn: 2
    reply: "Second turn: {text}"
    once: true
faults:
  - kind: close
    after_messages: 3
    code: 1011
    reason: boom
input_transcripts: [hello there]
connection_lifetime: 5
go_away_time_left: 1.5
"""


def _expected() -> Scenario:
    return Scenario(
        turns=[
            Turn(match="(?i)weather", tool_calls=[ToolCallStep("get_weather", {"city": "Paris"})]),
            Turn(turn=2, reply="Second turn: {text}", once=True),
        ],
        faults=[Fault(kind="close", after_messages=3, code=1011, reason="boom")],
        input_transcripts=["hello there"],
        connection_lifetime=5.0,
        go_away_time_left=1.5,
    )


def test_from_dict_and_round_trip() -> None:
    scenario = Scenario.from_dict(DATA)
    assert scenario == _expected()
    assert Scenario.from_dict(scenario.to_dict()) == scenario


def test_from_json_file(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(DATA))
    assert Scenario.from_file(path) == _expected()


@pytest.mark.parametrize("suffix", [".yaml", ".yml"])
def test_from_yaml_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"s{suffix}"
    path.write_text(YAML)
    assert Scenario.from_file(path) == _expected()


@pytest.mark.parametrize(
    "data",
    [
        {"turns": [{"bogus": 1}]},
        {"turns": [{"turn": 0}]},
        {"turns": [{"match": "("}]},
        {"faults": [{"kind": "drop"}]},
        {"faults": [{"kind": "drop", "at_turn": 1, "after_seconds": 2}]},
        {"faults": [{"kind": "explode", "at_turn": 1}]},
        {"faults": [{"kind": "close", "at_turn": 1, "code": 1006}]},
        {"connection_lifetime": -1},
        {"unknown_top_level": True},
    ],
)
def test_invalid_scenarios_raise_config_error(data: object) -> None:
    with pytest.raises(ConfigError, match="invalid scenario"):
        Scenario.from_dict(data)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\.json"):
        Scenario.from_file(tmp_path / "s.txt")
    with pytest.raises(ConfigError, match="cannot read"):
        Scenario.from_file(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(ConfigError, match="invalid JSON"):
        Scenario.from_file(bad)
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("turns: [unclosed")
    with pytest.raises(ConfigError, match="invalid YAML"):
        Scenario.from_file(bad_yaml)


def test_rule_selection_order_and_once() -> None:
    scenario = _expected()
    used: set[int] = set()
    assert scenario.rule_for(1, "What's the WEATHER?", used) == (0, scenario.turns[0])
    assert scenario.rule_for(2, "hi", used) == (1, scenario.turns[1])
    used.add(1)
    assert scenario.rule_for(2, "hi", used) is None
    assert scenario.rule_for(3, "hi", set()) is None
