"""The session status machine allows only the transitions of its table."""

from __future__ import annotations

import pytest

from realtalk.session.state import SessionStatus, StatusMachine


def test_normal_life() -> None:
    machine = StatusMachine()
    assert machine.status is SessionStatus.CONNECTING
    for status in (SessionStatus.CONNECTED, SessionStatus.RECONNECTING, SessionStatus.CONNECTED):
        machine.to(status)
        assert machine.status is status
    machine.to(SessionStatus.CLOSED)


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ((), SessionStatus.RECONNECTING),
        ((SessionStatus.CLOSED,), SessionStatus.CONNECTED),
        ((SessionStatus.CONNECTED,), SessionStatus.CONNECTING),
    ],
)
def test_illegal_transitions_raise(path: tuple[SessionStatus, ...], illegal: SessionStatus) -> None:
    machine = StatusMachine()
    for status in path:
        machine.to(status)
    with pytest.raises(RuntimeError, match="illegal"):
        machine.to(illegal)
