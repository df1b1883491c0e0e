"""What each provider, platform and model family accepts: a table, and checks over it.

Model quirks are data here, not branches elsewhere (STYLE.md §13). Two tables, defined
in :mod:`realtalk.protocol.capabilities_table` (with the sources of each fact) and
re-exported here:

* :data:`CAPABILITIES` maps ``(provider, feature)`` to a :class:`Capability`: the model
  families and platforms that have the feature, and the answer for a model id that
  :func:`model_family` does not recognise. :func:`supports` reads it.
* :data:`RULES` lists, per wire object, the settings that need a feature or a value
  range: ``"gemini"`` (the setup), ``"openai"`` (the GA session) and
  ``"gemini_message"`` (client messages). :func:`check` and :func:`check_gemini_message`
  apply them.

Severity: ``error`` when the specs or field reports say the server closes (1007/1008)
or rejects it; ``warning`` when it is probably ignored or the fact is uncertain. A fact
that depends on the model is at most a warning for an unrecognised model id, and so is
the v1alpha requirement on AI Studio when the API version is not given.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import msgspec

from realtalk.errors import ConfigError, ProtocolError
from realtalk.protocol.capabilities_table import (
    AUTO_VAD,
    CAPABILITIES,
    FEATURES,
    MANUAL_VAD,
    RULES,
    V1ALPHA,
    Capability,
    Family,
    Feature,
    Rule,
    has_feature,
    model_family,
    platform_of,
    supports,
)
from realtalk.protocol.config import (
    Issue,
    Platform,
    Provider,
    RealtimeConfig,
    Severity,
    to_gemini_setup,
    to_openai_session,
    unsupported,
)
from realtalk.protocol.gemini import wire as gwire
from realtalk.protocol.gemini.protocol import build_setup
from realtalk.protocol.gemini.server_role import decode_client
from realtalk.protocol.openai import wire as owire
from realtalk.protocol.openai.inputs import build_session

__all__ = [
    "CAPABILITIES",
    "FEATURES",
    "RULES",
    "Capability",
    "Family",
    "Feature",
    "Issue",
    "Rule",
    "check",
    "check_gemini_message",
    "model_family",
    "supports",
]


def _walk(node: Any, parts: list[str], where: str) -> Iterator[tuple[str, Any]]:
    """Yield ``(concrete path, value)`` for every value at ``parts`` below ``node``."""
    if not parts:
        yield where, node
        return
    many = parts[0].endswith("[]")
    key = parts[0].removesuffix("[]")
    value = node.get(key) if isinstance(node, dict) else None
    path = f"{where}.{key}" if where else key
    if many and isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, parts[1:], f"{path}[{i}]")
    elif not many and value is not None:
        yield from _walk(value, parts[1:], path)


def _apply(
    rules: tuple[Rule, ...],
    wire: dict[str, Any],
    context: tuple[set[str], set[str]],
    origin: str | None,
) -> list[Issue]:
    """Run ``rules`` over a wire object; ``origin`` is the provider of a mapped config."""
    available, uncertain = context
    issues = []
    for rule in rules:
        if rule.needs is not None and rule.needs in available:
            continue
        for path, value in _walk(wire, rule.path.split("."), ""):
            if rule.when(value):
                severity: Severity = "warning" if rule.needs in uncertain else rule.severity
                setting = path if origin is None else rule.field or f"extra[{origin!r}].{path}"
                issues.append(Issue(setting, severity, f"{path}: {rule.message}"))
    return issues


def _context(
    provider: Provider, model: str, platform: str, api_version: str | None
) -> tuple[set[str], set[str]]:
    """The features ``model`` has, and those whose answer is a guess."""
    family = model_family(provider, model)
    available: set[str] = {f for f in Feature if has_feature(provider, family, platform, f)}
    uncertain: set[str] = set()
    if family == Family.UNKNOWN:
        uncertain = {f for (p, f), cap in CAPABILITIES.items() if p == provider and cap.families}
    if platform != "ai_studio" or api_version == "v1alpha":
        available.add(V1ALPHA)
    elif api_version is None:
        uncertain.add(V1ALPHA)
    return available, uncertain


def _wire(config: object, provider: str, model: str) -> dict[str, Any]:
    if provider == "gemini" and isinstance(config, (gwire.Setup, Mapping)):
        return dict(msgspec.to_builtins(build_setup(model, config)))
    if provider == "openai" and isinstance(config, (owire.Session, Mapping)):
        return dict(msgspec.to_builtins(build_session(config)))
    kinds = "a Setup or a mapping" if provider == "gemini" else "a Session or a mapping"
    raise TypeError(f"a {provider} config must be {kinds}, not {type(config).__name__}")


def check(
    config: RealtimeConfig | gwire.Setup | owire.Session | Mapping[str, Any],
    *,
    provider: Provider,
    model: str,
    platform: Platform | None = None,
    api_version: str | None = None,
) -> list[Issue]:
    """Find the settings ``model`` on ``platform`` would reject or probably ignore.

    Args:
        config: A :class:`RealtimeConfig` (issues name its fields, and the gaps of
            :func:`~realtalk.protocol.config.unsupported` come first), a Gemini
            :class:`~realtalk.protocol.gemini.wire.Setup` or setup mapping, or an OpenAI
            :class:`~realtalk.protocol.openai.wire.Session` or session mapping (issues
            name wire paths).
        provider: ``"gemini"`` or ``"openai"``.
        model: The model id or resource name.
        platform: Gemini ``"ai_studio"`` (default) or ``"vertex"``; ignored for OpenAI.
        api_version: The Gemini API version (``"v1alpha"``, ``"v1beta"``...), if known.

    Returns:
        The issues in table order; an invalid config is one ``error`` issue.

    Raises:
        TypeError: ``config`` has the wrong type for ``provider``.
        ValueError: Unknown provider or platform.
    """
    plat = platform_of(provider, platform)
    context = _context(provider, model, plat, api_version)
    issues: list[Issue] = []
    origin: str | None = None
    try:
        if isinstance(config, RealtimeConfig):
            issues, origin = unsupported(config, provider), provider
            if provider == "gemini":
                target: Platform = "vertex" if plat == "vertex" else "ai_studio"
                config = to_gemini_setup(
                    config, model=model, platform=target, drop_unsupported=True
                )
            else:
                config = to_openai_session(config, drop_unsupported=True)
        wire = _wire(config, provider, model)
    except ConfigError as exc:
        return [*issues, Issue("extra" if origin else "config", "error", str(exc))]
    return issues + _apply(RULES[provider], wire, context, origin)


def check_gemini_message(
    message: gwire.ClientMessage | Mapping[str, Any],
    *,
    model: str,
    platform: Platform | None = None,
    setup: gwire.Setup | None = None,
    history_open: bool = False,
) -> list[Issue]:
    """Find why a Gemini client message would be refused by ``model`` on ``platform``.

    Args:
        message: A client message, or its wire mapping (camelCase or snake_case).
        model: The model id.
        platform: ``"ai_studio"`` (default) or ``"vertex"``.
        setup: The session's setup, to check activity signals against its VAD mode.
        history_open: The session still takes initial history (``historyConfig`` set and
            no ``clientContent`` with ``turnComplete`` yet, gemini-live.md §4.1).

    Returns:
        The issues, named by wire path.

    Raises:
        TypeError: ``message`` is neither a ClientMessage nor a mapping.
        ValueError: ``message`` is not a valid client message, or a bad platform.
    """
    if isinstance(message, Mapping):
        try:
            message = decode_client(msgspec.json.encode(message), strict=False)
        except (ProtocolError, TypeError) as exc:
            raise ValueError(f"message is not a Gemini client message: {exc}") from None
    if not isinstance(message, gwire.ClientMessage):
        raise TypeError(f"message must be a ClientMessage or mapping, not {type(message).__name__}")
    available, uncertain = _context("gemini", model, platform_of("gemini", platform), None)
    ric = setup.realtime_input_config if setup is not None else None
    aad = ric.automatic_activity_detection if ric is not None else None
    manual = aad is not None and bool(aad.disabled)
    available |= {MANUAL_VAD, AUTO_VAD} if setup is None else {MANUAL_VAD if manual else AUTO_VAD}
    if history_open:
        available.add(Feature.CLIENT_CONTENT_MID_SESSION)
    wire = msgspec.to_builtins(message)
    return _apply(RULES["gemini_message"], wire, (available, uncertain), None)
