"""What the emulated OpenAI model answers in one response. Pure logic.

The echo assistant and the scenario rules are the Gemini emulator's
(:mod:`realtalk.emulator.reply`), read against the response's context
(openai-realtime.md §6.4, §6.5):

* the context ends with function outputs -> the reply announcing them: the
  scripted rule's ``reply`` (``{name}``/``{result}`` = the first call's) or
  ``NAME returned {json}`` per output (``{json}``: the output as compact JSON, or
  as is when it is not JSON);
* otherwise the latest user message is the turn: a matching scenario rule, else
  ``call NAME {json}`` naming a declared function -> ``function_call`` items (one
  per call; the turn ends there, as the service's does), else ``You said: T``
  (``T``: the text, or the audio's transcript);
* ``max_output_tokens`` cuts a longer reply (one token per four characters) and
  the response ends ``incomplete``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from realtalk.emulator.openai_items import StoredItem, render_output
from realtalk.emulator.reply import PlannedCall, compact_json, fill, plan_turn
from realtalk.emulator.scenario import Scenario

__all__ = ["Answer", "CallNote", "decide"]


@dataclass(frozen=True, slots=True)
class CallNote:
    """What the model remembers about a function call it made.

    Attributes:
        name: The function.
        user_text: What the user said in the turn that made the call.
        reply: The scripted reply template for after the results (None = default).
    """

    name: str
    user_text: str
    reply: str | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """The content of one response.

    Attributes:
        text: What to say (None when the response makes function calls).
        calls: ``(call_id, name, arguments JSON)`` of the calls to make, in order.
        notes: What to remember about each call, by call id.
        turn: The user turn answered (1-based; 0 = not a user turn).
        chunk_delay: Pause between output chunks (None = the scenario's).
        incomplete: The text was cut at ``max_output_tokens``.
    """

    text: str | None
    calls: tuple[tuple[str, str, str], ...] = ()
    notes: dict[str, CallNote] = field(default_factory=dict)
    turn: int = 0
    chunk_delay: float | None = None
    incomplete: bool = False


def _results(
    outputs: Sequence[StoredItem], notes: dict[str, CallNote], names: Callable[[str], str]
) -> str:
    """The reply announcing trailing function outputs."""
    first = notes.get(outputs[0].call_id)
    if first is not None and first.reply is not None:
        return fill(
            first.reply,
            text=first.user_text,
            name=first.name,
            result=render_output(outputs[0].output),
        )
    return " ".join(f"{names(o.call_id)} returned {render_output(o.output)}" for o in outputs)


def _cut(text: str, limit: int | str) -> tuple[str, bool]:
    if limit == "inf" or math.ceil(len(text) / 4) <= int(limit):
        return text, False
    return text[: int(limit) * 4], True


def decide(
    context: Sequence[StoredItem],
    *,
    scenario: Scenario,
    used_rules: set[int],
    declared: Sequence[str],
    notes: dict[str, CallNote],
    names: Callable[[str], str],
    new_call_id: Callable[[], str],
    max_output_tokens: int | str = "inf",
) -> Answer:
    """Decide the content of a response from its context (see the module docstring).

    Args:
        context: The items the response sees, oldest first.
        scenario: The scripted rules.
        used_rules: Indices of ``once`` rules already used (updated).
        declared: Names of the functions the model may call.
        notes: Calls made earlier, by call id.
        names: Function name of a call id (for outputs of calls the model did not make).
        new_call_id: Makes ``call_...`` ids.
        max_output_tokens: The response's limit.
    """
    outputs: list[StoredItem] = []
    for item in reversed(context):
        if item.type != "function_call_output":
            break
        outputs.insert(0, item)
    if outputs:
        text, cut = _cut(_results(outputs, notes, names), max_output_tokens)
        return Answer(text=text, incomplete=cut)
    user = next((i for i in reversed(context) if i.type == "message" and i.role == "user"), None)
    said = user.user_text() if user is not None else ""
    turn = user.turn if user is not None else 0
    plan = plan_turn(
        said,
        turn=turn,
        scenario=scenario,
        used_rules=used_rules,
        declared=dict.fromkeys(declared, False),
        new_id=new_call_id,
    )
    if plan.calls:
        calls = tuple(_call(c) for c in plan.calls)
        made = {c.id: CallNote(c.name, said, plan.reply) for c in plan.calls}
        return Answer(text=None, calls=calls, notes=made, turn=turn, chunk_delay=plan.chunk_delay)
    text, cut = _cut(fill(plan.reply or "", text=said), max_output_tokens)
    return Answer(text=text, turn=turn, chunk_delay=plan.chunk_delay, incomplete=cut)


def _call(call: PlannedCall) -> tuple[str, str, str]:
    return call.id, call.name, compact_json(call.args)
