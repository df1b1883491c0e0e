"""A provider-neutral connection target: URL + handshake headers, with secrets masked.

:class:`Endpoint` is what a transport needs to open a session's WebSocket. Its
``url`` and ``headers`` hold the real credentials (the transport must send them);
``repr`` and ``str`` mask every credential-bearing header and query parameter, so
an endpoint can be logged. Both providers use it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["SECRET_HEADERS", "SECRET_PARAMS", "Endpoint", "Headers", "redact_url"]

#: Header names (lower case) whose values are credentials.
SECRET_HEADERS = frozenset(
    {"authorization", "x-goog-api-key", "api-key", "sec-websocket-protocol", "cookie"}
)
#: Query parameters whose values are credentials.
SECRET_PARAMS = frozenset({"key", "access_token", "api-key", "api_key"})
_MASK = "***"


class Headers(Mapping[str, str]):
    """A read-only header mapping whose repr masks credential values."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str]) -> None:
        self._items = dict(items)

    def __getitem__(self, key: str) -> str:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        shown = {k: _MASK if k.lower() in SECRET_HEADERS else v for k, v in self._items.items()}
        return repr(shown)

    __str__ = __repr__


def redact_url(url: str) -> str:
    """Return ``url`` with credential query parameters (:data:`SECRET_PARAMS`) masked."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, _MASK if k in SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*/")))


@dataclass(frozen=True)
class Endpoint:
    """Where and how to connect: the URL, the handshake headers and the platform.

    Attributes:
        url: The WebSocket URL (``ws://`` or ``wss://``), credentials included if any.
        headers: Handshake headers, credentials included; read-only, masked in repr.
        platform: A short name of the service (``"openai"``, ``"azure"``, ...).
    """

    url: str
    headers: Mapping[str, str]
    platform: str

    def __post_init__(self) -> None:
        if not isinstance(self.headers, Headers):
            object.__setattr__(self, "headers", Headers(self.headers))

    def __repr__(self) -> str:
        return (
            f"Endpoint(url={redact_url(self.url)!r}, headers={self.headers!r}, "
            f"platform={self.platform!r})"
        )

    __str__ = __repr__
