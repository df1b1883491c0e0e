"""The per-connection state machine's transition table."""

from __future__ import annotations

import pytest

from realtalk.emulator.state import ConnectionState, IllegalTransition, StateMachine

S = ConnectionState


def test_normal_lifecycle() -> None:
    machine = StateMachine()
    for state in (S.IDLE, S.GENERATING, S.TOOL_WAIT, S.GENERATING, S.IDLE, S.CLOSED):
        machine.to(state)
        assert machine.state is state
    assert not machine.busy


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        ((), S.GENERATING),  # no turn before the setup
        ((S.SEEDING,), S.GENERATING),  # no generation while seeding history
        ((S.IDLE,), S.TOOL_WAIT),
        ((S.IDLE, S.CLOSED), S.IDLE),  # closed is final
    ],
)
def test_illegal_transitions_raise(path: tuple[ConnectionState, ...], bad: ConnectionState) -> None:
    machine = StateMachine()
    for state in path:
        machine.to(state)
    with pytest.raises(IllegalTransition):
        machine.to(bad)
