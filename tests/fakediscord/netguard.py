"""Refuse (and record) any socket connection or name lookup that leaves 127.0.0.0/8 / ::1."""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

__all__ = ["BlockedConnection", "guard_network", "is_loopback"]

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class BlockedConnection(OSError):
    """Raised instead of connecting to (or resolving) a non-loopback address."""


def is_loopback(host: Any) -> bool:
    """Whether ``host`` (name or address) is on the loopback network."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode()
    host = str(host).strip("[]")
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@contextlib.contextmanager
def guard_network(blocked: list[str] | None = None) -> Iterator[list[str]]:
    """Patch ``socket`` so only loopback connections/lookups work while the block is active.

    Offending targets are appended to ``blocked`` (returned) and the call fails with
    :class:`BlockedConnection`. Unix sockets are unaffected.
    """
    blocked = [] if blocked is None else blocked
    orig_connect = socket.socket.connect
    orig_connect_ex = socket.socket.connect_ex
    orig_getaddrinfo = socket.getaddrinfo
    orig_create_connection = socket.create_connection

    def check(address: Any, family: int | None) -> None:
        if family == getattr(socket, "AF_UNIX", object()):
            return
        host = address[0] if isinstance(address, tuple) else address
        if not is_loopback(host):
            blocked.append(str(host))
            raise BlockedConnection(
                errno.ENETUNREACH, f"fakediscord network guard blocked connection to {host!r}"
            )

    def connect(self: socket.socket, address: Any) -> Any:
        check(address, self.family)
        return orig_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        check(address, self.family)
        return orig_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        check((host,), None)
        return orig_getaddrinfo(host, *args, **kwargs)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        check(address, None)
        return orig_create_connection(address, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    socket.create_connection = create_connection  # type: ignore[assignment]
    try:
        yield blocked
    finally:
        socket.socket.connect = orig_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = orig_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = orig_getaddrinfo  # type: ignore[assignment]
        socket.create_connection = orig_create_connection  # type: ignore[assignment]
