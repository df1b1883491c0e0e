"""A throwaway certificate authority for serving ``wss://`` on loopback.

Uses :mod:`trustme` (the ``emulator`` extra), imported only when TLS is asked for.
The CA's certificate is written to a temporary PEM file that clients can trust
(``ssl.create_default_context(cafile=...)``); :meth:`TlsMaterial.cleanup` removes it.
"""

from __future__ import annotations

import shutil
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from realtalk.errors import ConfigError

__all__ = ["TlsMaterial", "make_tls"]

_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True, slots=True)
class TlsMaterial:
    """A server SSL context and the PEM file of the CA that signed its certificate."""

    server_context: ssl.SSLContext
    ca_file: Path

    def client_context(self) -> ssl.SSLContext:
        """Return a client context that trusts only the throwaway CA."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    def cleanup(self) -> None:
        """Delete the CA file and its temporary directory."""
        shutil.rmtree(self.ca_file.parent, ignore_errors=True)


def make_tls(host: str) -> TlsMaterial:
    """Create a CA, a server certificate for loopback names (and ``host``), and the CA PEM file.

    Raises:
        ConfigError: trustme is not installed.
    """
    try:
        import trustme
    except ImportError:
        raise ConfigError("tls=True needs trustme: pip install 'realtalk[emulator]'") from None
    names = list(dict.fromkeys((*_HOSTS, host)))
    ca = trustme.CA()
    cert = ca.issue_cert(*names)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    folder = Path(tempfile.mkdtemp(prefix="realtalk-emulator-"))
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return TlsMaterial(server_context=context, ca_file=ca_file)
