"""Fixtures for ingest tests: a local HTTP server, a scripted resolver and a connection guard."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from digests.ingest.fetch import SafeFetcher
from digests.settings import Settings
from tests.support import stores
from tests.support.local_http import LocalHTTPServer


class ScriptedResolver:
    """A HostResolver answering from a table; unknown names fail like NXDOMAIN."""

    def __init__(self) -> None:
        self.table: dict[str, list[str]] = {}
        self.calls: list[str] = []

    def map(self, host: str, *addresses: str) -> None:
        """Make `host` resolve to `addresses`."""
        self.table[host] = list(addresses)

    async def resolve(self, host: str, port: int) -> list[str]:
        """The scripted addresses for `host`."""
        self.calls.append(host)
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} is not in the test table")
        return list(self.table[host])


class ConnectionLog(list[tuple[str, int]]):
    """Every (address, port) a socket tried to connect to during the test."""

    def hosts(self) -> set[str]:
        """The distinct addresses connected to."""
        return {address for address, _port in self}


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> ConnectionLog:
    """Record every outgoing TCP connect, and refuse any outside 127.0.0.0/8 or ::1.

    asyncio connects non-blocking sockets through `socket.connect`, so this sees every attempt
    aiohttp makes; the refusal is a safety net so a broken guard can never reach a real host.
    """
    log = ConnectionLog()
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def check(address: Any) -> None:
        if isinstance(address, tuple):
            host, port = str(address[0]), int(address[1])
            log.append((host, port))
            if not ipaddress.ip_address(host.split("%", 1)[0]).is_loopback:
                raise ConnectionRefusedError(f"test guard: no connections to {host}")

    def connect(self: socket.socket, address: Any) -> None:
        check(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    return log


@pytest.fixture
async def server() -> AsyncIterator[LocalHTTPServer]:
    """A started LocalHTTPServer on 127.0.0.1."""
    async with LocalHTTPServer() as local:
        yield local


@pytest.fixture
def resolver() -> ScriptedResolver:
    """A resolver with an empty table; tests map the names they use."""
    return ScriptedResolver()


@pytest.fixture
def make_settings() -> Callable[..., Settings]:
    """Build Settings for fetch tests without reading the developer's .env."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "fetch_allowed_hosts": ["127.0.0.1"],
            "fetch_timeout_seconds": 1,
            "fetch_max_redirects": 5,
            "max_document_bytes": 1_000_000,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return build


@pytest.fixture
async def make_fetcher(
    make_settings: Callable[..., Settings], resolver: ScriptedResolver
) -> AsyncIterator[Callable[..., SafeFetcher]]:
    """Build SafeFetchers (scripted resolver unless given) that are closed after the test."""
    fetchers: list[SafeFetcher] = []

    def build(*, system_resolver: bool = False, **overrides: Any) -> SafeFetcher:
        fetcher = SafeFetcher(make_settings(**overrides), None if system_resolver else resolver)
        fetchers.append(fetcher)
        return fetcher

    yield build
    for fetcher in fetchers:
        await fetcher.close()


@pytest.fixture
async def fetcher(make_fetcher: Callable[..., SafeFetcher]) -> SafeFetcher:
    """A SafeFetcher that may reach 127.0.0.1 (the local server) and nothing else internal."""
    return make_fetcher()


# The ingest tests that store posts run on both stores: SQLite and PostgreSQL.
store_url = stores.store_url
