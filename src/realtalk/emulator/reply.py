"""What the emulator's model says: the echo assistant and scripted turns. Pure logic.

The echo assistant (used when no scenario rule matches):

* user text ``T`` → the reply ``You said: T``;
* user text ``call NAME {json}`` where ``NAME`` is a function declared in the
  setup's tools → a function call ``NAME(json)`` (``{json}`` is optional and must
  be an object). A blocking call is answered, once the ``toolResponse`` is in,
  with ``NAME returned {response}`` (compact JSON of the response object); a
  NON_BLOCKING call is acknowledged at once with ``Started NAME.`` and its result
  is announced the same way when it arrives. An undeclared ``NAME`` or bad JSON
  makes it plain text (echoed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from realtalk.emulator.scenario import Scenario, Turn

__all__ = [
    "ECHO_PREFIX",
    "Plan",
    "PlannedCall",
    "compact_json",
    "fill",
    "fragments",
    "parse_call",
    "plan_turn",
    "result_text",
]

#: The echo reply is this prefix followed by the user's text.
ECHO_PREFIX = "You said: "

_CALL = re.compile(r"\s*call\s+([A-Za-z_][\w.\-]*)\s*(\{.*\})?\s*", re.DOTALL)
_PLACEHOLDER = re.compile(r"\{(text|name|result)\}")


@dataclass(frozen=True, slots=True)
class PlannedCall:
    """One function call the model will make."""

    id: str
    name: str
    args: dict[str, Any]
    non_blocking: bool
    cancel_after: float | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """How to answer one user turn.

    Attributes:
        user_text: What the user said (text, or the audio turn's transcript).
        calls: Function calls to make first (one ``toolCall`` message).
        reply: Template of the text to say: right away when no call is blocking,
            otherwise after the blocking results (None = the default result text).
        result_reply: Template for announcing a NON_BLOCKING result (None = default).
        chunk_delay: Pause between output chunks for this turn (None = scenario default).
    """

    user_text: str
    calls: tuple[PlannedCall, ...] = ()
    reply: str | None = None
    result_reply: str | None = None
    chunk_delay: float | None = None

    @property
    def blocking(self) -> bool:
        """Whether the turn waits for tool results before speaking."""
        return any(not c.non_blocking for c in self.calls)


def compact_json(value: Any) -> str:
    """Serialize ``value`` as compact JSON (the form used in generated replies)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def fill(template: str, *, text: str = "", name: str = "", result: str = "") -> str:
    """Replace ``{text}``, ``{name}`` and ``{result}`` in ``template`` (other braces stay)."""
    values = {"text": text, "name": name, "result": result}
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def result_text(template: str | None, name: str, response: Any, user_text: str = "") -> str:
    """The text announcing one function result."""
    rendered = compact_json(response)
    if template is None:
        return f"{name} returned {rendered}"
    return fill(template, text=user_text, name=name, result=rendered)


def parse_call(text: str, declared: Mapping[str, bool]) -> tuple[str, dict[str, Any]] | None:
    """Parse ``call NAME {json}``; None unless NAME is declared and the JSON is an object.

    Args:
        text: The user's text.
        declared: Declared function names mapped to whether they are NON_BLOCKING.
    """
    found = _CALL.fullmatch(text)
    if found is None or found.group(1) not in declared:
        return None
    args: Any = {}
    if found.group(2):
        try:
            args = json.loads(found.group(2))
        except json.JSONDecodeError:
            return None
    if not isinstance(args, dict):
        return None
    return found.group(1), args


def plan_turn(
    text: str,
    *,
    turn: int,
    scenario: Scenario,
    used_rules: set[int],
    declared: Mapping[str, bool],
    new_id: Callable[[], str],
) -> Plan:
    """Decide how to answer user turn number ``turn`` saying ``text``.

    Marks a matched ``once`` rule as used in ``used_rules``.
    """
    found = scenario.rule_for(turn, text, used_rules)
    if found is not None:
        index, rule = found
        if rule.once:
            used_rules.add(index)
        return _scripted(text, rule, declared, new_id)
    call = parse_call(text, declared)
    if call is None:
        return Plan(user_text=text, reply=ECHO_PREFIX + "{text}")
    name, args = call
    planned = PlannedCall(new_id(), name, args, declared[name])
    return Plan(user_text=text, calls=(planned,))


def _scripted(
    text: str, rule: Turn, declared: Mapping[str, bool], new_id: Callable[[], str]
) -> Plan:
    calls = tuple(
        PlannedCall(
            id=step.id or new_id(),
            name=step.name,
            args=dict(step.args),
            non_blocking=(
                step.non_blocking
                if step.non_blocking is not None
                else declared.get(step.name, False)
            ),
            cancel_after=step.cancel_after,
        )
        for step in rule.tool_calls
    )
    reply = rule.reply
    if reply is None and not calls:
        reply = ECHO_PREFIX + "{text}"
    return Plan(
        user_text=text,
        calls=calls,
        reply=reply,
        result_reply=rule.result_reply,
        chunk_delay=rule.chunk_delay,
    )


def fragments(text: str, max_chars: int = 24) -> list[str]:
    """Split ``text`` into streaming fragments at word boundaries.

    Concatenating the fragments gives back ``text`` exactly. A single word longer
    than ``max_chars`` stays whole.
    """
    if not text:
        return []
    pieces: list[str] = []
    current = ""
    for word in re.findall(r"\S+\s*|\s+", text):
        if current and len(current) + len(word) > max_chars:
            pieces.append(current)
            current = ""
        current += word
    pieces.append(current)
    return pieces
