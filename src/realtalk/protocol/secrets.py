"""A string wrapper that keeps credentials out of reprs, logs and error messages.

API keys, ephemeral tokens and OAuth2 access tokens travel through realtalk as
:class:`Secret` values. Their ``repr`` and ``str`` are always ``Secret('***')``;
only :meth:`Secret.reveal` gives the value back, at the one place that needs it
(building request headers or a query string).
"""

from __future__ import annotations

import hmac

__all__ = ["Secret", "reveal"]


class Secret:
    """A credential whose value never appears in ``repr`` or ``str``.

    Equality compares the values in constant time; the hash is the value's hash,
    so equal secrets can be dictionary keys.

    Args:
        value: The credential.

    Raises:
        TypeError: ``value`` is not a ``str``.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"Secret value must be a str, not {type(value).__name__}")
        self._value = value

    @classmethod
    def wrap(cls, value: str | Secret) -> Secret:
        """Return ``value`` as a :class:`Secret` (unchanged when it already is one)."""
        return value if isinstance(value, Secret) else cls(value)

    def reveal(self) -> str:
        """Return the credential. Call it only where the value must leave the process."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


def reveal(value: str | Secret) -> str:
    """Return the plain value of ``value``, whether it is a ``str`` or a :class:`Secret`."""
    return value.reveal() if isinstance(value, Secret) else value
