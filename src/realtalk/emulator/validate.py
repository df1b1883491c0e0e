"""Checks the real service makes before accepting a session (gemini-live.md §1, §3, §6.10).

Each check raises :class:`Reject` with the close code and a Google-like reason:
1007 for invalid arguments, 1008 for unknown models, bad credentials or
unsupported requests. Pure functions; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from realtalk.protocol.gemini import wire
from realtalk.protocol.gemini.endpoints import PathMatch, match_path
from realtalk.transport.base import Request

__all__ = [
    "INVALID_ARGUMENT",
    "Reject",
    "check_auth",
    "check_model",
    "check_path",
    "check_setup",
    "credential",
]

#: Google's generic INVALID_ARGUMENT reason.
INVALID_ARGUMENT = "Request contains an invalid argument."
NOT_FOUND = "Requested entity was not found."
BAD_KEY = "API key not valid. Please pass a valid API key."
_MAX_REASON = 123

_AI_STUDIO_MODEL = re.compile(r"models/[^/\s]+")
_VERTEX_MODEL = re.compile(r"projects/[^/\s]+/locations/[^/\s]+/publishers/google/models/[^/\s]+")


class Reject(Exception):
    """End the connection with ``code`` and ``reason`` (code None = drop, no close frame)."""

    def __init__(self, code: int | None, reason: str = "") -> None:
        raw = reason.encode()
        if len(raw) > _MAX_REASON:
            reason = raw[: _MAX_REASON - 3].decode(errors="ignore") + "..."
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


def check_path(path: str) -> PathMatch:
    """Recognise an AI Studio or Vertex Live path (§1.1, §1.3).

    Raises:
        Reject: 1008 for any other path.
    """
    found = match_path(path)
    if found is None:
        raise Reject(1008, NOT_FOUND)
    return found


def credential(request: Request, found: PathMatch) -> str | None:
    """Return the credential a request carries for its platform, if any (§1).

    AI Studio: ``?key=`` or ``x-goog-api-key``; the constrained method also
    ``?access_token=`` or ``Authorization: Token``. Vertex: ``Authorization:
    Bearer`` or ``x-goog-api-key`` (express mode).
    """
    headers: Mapping[str, str] = request.headers
    scheme, _, value = headers.get("authorization", "").strip().partition(" ")
    accepted = {"bearer"} if found.platform == "vertex" else {"token"}
    candidates = [
        value.strip() if scheme.lower() in accepted else "",
        headers.get("x-goog-api-key", ""),
    ]
    if found.platform == "ai_studio":
        candidates += [request.query.get("key", ""), request.query.get("access_token", "")]
    return next((c for c in candidates if c), None)


def check_auth(
    request: Request, found: PathMatch, *, require: bool, api_keys: Collection[str] | None
) -> None:
    """Check the request's credential.

    Args:
        request: The opening request.
        found: Its recognised path.
        require: Whether a credential must be present at all.
        api_keys: If given, the only credentials accepted.

    Raises:
        Reject: 1008 with an "API key not valid" reason.
    """
    if not require and api_keys is None:
        return
    key = credential(request, found)
    if key is not None and key.startswith("auth_tokens/"):
        return  # an ephemeral token: checked against the minted tokens instead
    if key is None or (api_keys is not None and key not in api_keys):
        raise Reject(1008, BAD_KEY)


def check_model(model: str, found: PathMatch, allowlist: Collection[str] | None) -> None:
    """Check the model name's form for the platform and against an optional allowlist.

    AI Studio needs ``models/{id}``; Vertex the full
    ``projects/{p}/locations/{l}/publishers/google/models/{id}`` name (§1.4). An
    allowlist entry matches the full name or the bare model id.

    Raises:
        Reject: 1008 with a "not found" reason.
    """
    pattern = _VERTEX_MODEL if found.platform == "vertex" else _AI_STUDIO_MODEL
    model_id = model.rsplit("/", 1)[-1]
    allowed = allowlist is None or model in allowlist or model_id in allowlist
    if pattern.fullmatch(model) is None or not allowed:
        if found.platform == "vertex":
            raise Reject(1008, f"Publisher Model `{model}` was not found.")
        raise Reject(
            1008,
            f"{model} is not found for API version {found.version}, "
            "or is not supported for bidiGenerateContent",
        )


def check_setup(setup: wire.Setup) -> None:
    """Semantic checks the decoder cannot make (§4.1.1, §4.1.3, §4.1.4).

    Raises:
        Reject: 1007 for an invalid argument.
    """
    config = setup.generation_config
    modalities = config.response_modalities if config is not None else None
    if modalities is not None and len(modalities) != 1:
        raise Reject(1007, f"{INVALID_ARGUMENT} responseModalities needs exactly one modality.")
    detection = (
        setup.realtime_input_config and setup.realtime_input_config.automatic_activity_detection
    )
    if detection:
        for name in ("silence_duration_ms", "prefix_padding_ms"):
            value = getattr(detection, name)
            if value is not None and value < 0:
                raise Reject(1007, f"{INVALID_ARGUMENT} {name} must not be negative.")
    names: set[str] = set()
    for tool in setup.tools or ():
        for declaration in tool.function_declarations or ():
            if not declaration.name or declaration.name in names:
                raise Reject(1007, f"{INVALID_ARGUMENT} Duplicate or empty function name.")
            names.add(declaration.name)
