"""Conformance against the official ``openai`` SDK's Realtime types (a test-only dependency).

The SDK is the reference: realtalk's client events must validate as its
``RealtimeClientEvent``, the emulator's frames as its ``RealtimeServerEvent``, and
the SDK's async Realtime client must hold a conversation with the emulator.

The SDK's models allow unknown keys (``extra="allow"``) and coerce in lax mode, so
validation alone would accept a misspelled or misplaced field. :func:`sdk_check`
therefore also

* validates in strict mode (no string-to-number or number-to-bool coercion),
* requires that no model anywhere in the tree kept an undeclared key
  (:func:`extras`), and
* dumps the model back (``exclude_unset``, wire names) and requires the dump to
  equal the frame up to :func:`canonical` (JSON number spelling ``1`` vs ``1.0``;
  booleans stay distinct from numbers), so a field dropped, renamed or coerced fails.

Representation differences a test allows are documented where the test allows them.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

openai = pytest.importorskip("openai")
pydantic = pytest.importorskip("pydantic")

from openai.types.realtime import RealtimeClientEvent, RealtimeServerEvent  # noqa: E402
from pydantic import TypeAdapter  # noqa: E402

WAIT = 10.0  # a guard against hangs, never a timing assertion
MODEL = "gpt-realtime"

CLIENT_EVENT: TypeAdapter[Any] = TypeAdapter(RealtimeClientEvent)
SERVER_EVENT: TypeAdapter[Any] = TypeAdapter(RealtimeServerEvent)


def extras(value: Any, path: str = "$") -> list[str]:
    """Paths of the keys the SDK kept as undeclared extras, anywhere in ``value``."""
    found: list[str] = []
    if isinstance(value, pydantic.BaseModel):
        found.extend(f"{path}.{key}" for key in value.model_extra or {})
        for name in type(value).model_fields:
            found.extend(extras(getattr(value, name), f"{path}.{name}"))
    elif isinstance(value, list | tuple):
        for i, inner in enumerate(value):
            found.extend(extras(inner, f"{path}[{i}]"))
    elif isinstance(value, dict):
        for key, inner in value.items():
            found.extend(extras(inner, f"{path}.{key}"))
    return found


class _Bool:
    """A boolean that never compares equal to a number (``True == 1`` in Python)."""

    __slots__ = ("value",)

    def __init__(self, value: bool) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Bool) and other.value is self.value

    def __hash__(self) -> int:
        return hash(("bool", self.value))

    def __repr__(self) -> str:
        return f"_Bool({self.value})"


def canonical(value: Any) -> Any:
    """Normalise JSON so that only the spelling of numbers (``1`` / ``1.0``) is ignored.

    Booleans become :class:`_Bool` so they never equal ``0``/``1``; every key,
    string, ``null`` and the nesting are kept, so an added, dropped, renamed or
    retyped field makes two values differ.
    """
    if isinstance(value, bool):
        return _Bool(value)
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def sdk_dump(model: Any) -> Any:
    """What the SDK understood of a validated value, as wire JSON."""
    if isinstance(model, pydantic.BaseModel):
        return model.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return TypeAdapter(type(model)).dump_python(model, mode="json", exclude_unset=True)


def sdk_check(adapter: TypeAdapter[Any], body: Any) -> Any:
    """Validate ``body`` (parsed JSON) with ``adapter`` and check that nothing was lost.

    Returns:
        The validated SDK model.
    """
    model = adapter.validate_python(body, strict=True)
    assert adapter.validate_json(json.dumps(body)) == model
    assert extras(model) == [], f"fields the SDK type does not declare: {extras(model)}"
    assert canonical(sdk_dump(model)) == canonical(body)
    return model


def check_client(frame: bytes | str) -> Any:
    """Validate one client frame as the SDK's ``RealtimeClientEvent``."""
    return sdk_check(CLIENT_EVENT, json.loads(frame))
