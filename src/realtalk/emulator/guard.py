"""How every emulated connection ends: one supervision for both providers.

A connection's serving coroutine ends with a :class:`~realtalk.emulator.validate.Reject`
(close with its code and reason, or drop for a code of None), with the client closing,
or with a bug in the emulator, which is logged, kept on the record and answered like a
server error.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from realtalk.emulator.records import ConnectionRecord
from realtalk.emulator.validate import Reject
from realtalk.errors import ConnectionClosed
from realtalk.transport.base import ABNORMAL_CLOSURE, Connection

__all__ = ["close_with", "first_failure", "serve_guarded"]

_log = logging.getLogger("realtalk.emulator")


def first_failure(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The exception that explains how a connection ended: a :class:`Reject` first,
    then a closed connection, else the first one raised."""
    leaves: list[BaseException] = []

    def walk(exc: BaseException) -> None:
        if isinstance(exc, BaseExceptionGroup):
            for inner in exc.exceptions:
                walk(inner)
        else:
            leaves.append(exc)

    walk(group)
    for kind in (Reject, ConnectionClosed):
        for exc in leaves:
            if isinstance(exc, kind):
                return exc
    return leaves[0]


async def close_with(conn: Connection, record: ConnectionRecord, reject: Reject) -> None:
    """End ``conn`` as ``reject`` says: a close frame, or a drop when its code is None."""
    if reject.code is None:
        conn.abort()
        record._finish(ABNORMAL_CLOSURE, "")
        return
    record._finish(reject.code, reject.reason)
    await conn.close(reject.code, reject.reason)


async def serve_guarded(
    serve: Callable[[], Awaitable[None]],
    conn: Connection,
    record: ConnectionRecord,
    internal: Reject,
) -> None:
    """Run ``serve`` and end the connection the way its outcome calls for.

    Args:
        serve: The connection's protocol loop.
        conn: The connection.
        record: Its record (close code, reason, error).
        internal: How to close when the emulator itself failed.

    Never raises except on cancellation.
    """
    try:
        try:
            await serve()
        except BaseExceptionGroup as group:
            raise first_failure(group) from None
    except Reject as reject:
        await close_with(conn, record, reject)
    except ConnectionClosed as closed:
        record._finish(closed.code, closed.reason)
    except Exception as exc:  # a bug in the emulator: report it, close as the service would
        _log.exception("emulator connection failed")
        record.error = exc
        await close_with(conn, record, internal)
