"""Transports: the only realtalk package that talks to sockets.

* :mod:`realtalk.transport.base`: the :class:`Connection` and :class:`Connector` protocols.
* :mod:`realtalk.transport.native`: realtalk's own WebSocket client (the default).
* :mod:`realtalk.transport.frames`: RFC 6455 client framing without I/O.
* :mod:`realtalk.transport.handshake`: the client's opening handshake without I/O.
* :mod:`realtalk.transport.tls`: TLS on memory BIOs for the native client.
* :mod:`realtalk.transport.ws`: websockets client connector and server.
* :mod:`realtalk.transport.memory`: an in-memory connected pair for tests.
"""

from realtalk.transport.base import (
    Connection,
    Connector,
    Handler,
    PushReceiver,
    Receiver,
    Request,
)
from realtalk.transport.memory import MemoryConnection, MemoryConnector, memory_pair
from realtalk.transport.native import NativeConnection, NativeConnector
from realtalk.transport.ws import HttpResponse, WebSocketConnector, WsServer, serve

__all__ = [
    "Connection",
    "Connector",
    "Handler",
    "HttpResponse",
    "MemoryConnection",
    "MemoryConnector",
    "NativeConnection",
    "NativeConnector",
    "PushReceiver",
    "Receiver",
    "Request",
    "WebSocketConnector",
    "WsServer",
    "memory_pair",
    "serve",
]
