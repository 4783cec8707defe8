"""An HTTP fetcher for URLs that users paste in: bounded, polite, and safe against SSRF.

Users hand the bot arbitrary URLs, so a fetch must never reach the bot's own network (loopback,
private ranges, cloud metadata endpoints). Checking a hostname before the request is not enough:
DNS can answer differently when aiohttp resolves it again (DNS rebinding). So the check lives in
the resolver that the connection itself uses, and refused addresses never reach a socket.
IP-literal hosts bypass aiohttp's resolver, so those are checked before each request, and
redirects are followed by hand so that every hop goes through the same checks.
"""

from __future__ import annotations

import asyncio
import errno
import http
import ipaddress
import os
import re
import socket
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from digests.errors import FetchError
from digests.i18n import message
from digests.settings import Settings, split_host_port

DEFAULT_ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"
)
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK_BYTES = 64 * 1024

_METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
_METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog"})
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HEX_LABEL = re.compile(r"0x[0-9a-f]*")


@dataclass(frozen=True)
class FetchedResource:
    """The outcome of a successful fetch (a 2xx body, or 304 when the copy we hold is current)."""

    requested_url: str
    url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        """True when the server answered 304 to a conditional request."""
        return self.status == 304


class HostResolver(Protocol):
    """Turns a host name into IP address strings (injectable so tests never touch real DNS)."""

    async def resolve(self, host: str, port: int) -> list[str]:
        """All addresses `host` resolves to; raise OSError when it does not resolve."""
        ...


class SystemResolver:
    """Real DNS through the event loop's getaddrinfo."""

    async def resolve(self, host: str, port: int) -> list[str]:
        """All addresses for `host`, deduplicated, in the order the system returned them."""
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses: list[str] = []
        for _family, _type, _proto, _canonname, sockaddr in infos:
            address = str(sockaddr[0])
            if address not in addresses:
                addresses.append(address)
        return addresses


def _address_kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv6 address that carries an IPv4 address reaches that IPv4 host, so judge that.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return _address_kind(embedded)
        ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
    # Keys of the catalog's `address_kind` table.
    if ip in _METADATA_ADDRESSES:
        return "cloud_metadata"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link_local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "cgnat"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "non_public"
    return None


def address_refusal(address: str) -> str | None:
    """Why an IP address must not be fetched from (e.g. "private address 10.0.0.1"), or None:
    a catalog message, so a member reads it in their language."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return message("fetch_error.unparseable_address", address=repr(address))
    kind = _address_kind(ip)
    if kind is None:
        return None
    shown = address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        shown = f"::ffff:{ip.ipv4_mapped}"
    return message("fetch_error.address", kind=message(f"address_kind.{kind}"), address=shown)


def _normalize_host(host: str) -> str:
    host = host.strip().lower().removeprefix("[").removesuffix("]").rstrip(".")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _numeric_looking(host: str) -> bool:
    # Hosts like 127.1, 2130706433 or 0x7f.0.0.1 are IPv4 addresses to the socket layer
    # (WHATWG: a host whose last label is a number), whatever they look like to us.
    last = host.rstrip(".").rsplit(".", 1)[-1]
    return last.isdigit() or bool(_HEX_LABEL.fullmatch(last))


class AllowedHosts:
    """FETCH_ALLOWED_HOSTS: hosts that may be private or loopback, each on any port (`intranet`,
    `10.0.0.5`, `::1`) or only on the ports named (`127.0.0.1:8080`, `[::1]:8080`)."""

    def __init__(self, entries: list[str]) -> None:
        self._ports: dict[str, set[int] | None] = {}
        for entry in entries:
            raw_host, port = split_host_port(entry)
            host = _normalize_host(raw_host)
            if port is None or self._ports.get(host, set()) is None:
                self._ports[host] = None
            else:
                self._ports.setdefault(host, set()).add(port)  # type: ignore[union-attr]

    def allows(self, host: str, port: int | None) -> bool:
        """Whether `host` (as given in a URL or to the resolver) may be reached on `port`."""
        name = _normalize_host(host)
        if name not in self._ports:
            return False
        ports = self._ports[name]
        return ports is None or port in ports


class _AddressRefused(Exception):
    """Raised inside the connector when a host resolves to an address we must not reach."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class _GuardedResolver(AbstractResolver):
    """aiohttp resolver that refuses forbidden addresses before any socket is opened."""

    def __init__(self, resolver: HostResolver, allowed_hosts: AllowedHosts) -> None:
        self._resolver = resolver
        self._allowed_hosts = allowed_hosts

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        name = _normalize_host(host)
        allowed = self._allowed_hosts.allows(name, port)
        if not allowed and name in _METADATA_HOSTS:
            raise _AddressRefused(message("fetch_error.metadata_host", host=host))
        addresses = await self._resolver.resolve(host, port)
        if not addresses:
            raise OSError(f"{host} has no addresses")
        results: list[ResolveResult] = []
        for address in addresses:
            if not allowed:
                refusal = address_refusal(address)
                if refusal:
                    # One bad address refuses the host: the connector may try any of them.
                    raise _AddressRefused(message("fetch_error.resolves_to", refusal=refusal))
            ip = ipaddress.ip_address(address)
            ip_family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
            if family not in (socket.AF_UNSPEC, ip_family):
                continue
            results.append(
                {
                    "hostname": host,
                    "host": address,
                    "port": port,
                    "family": ip_family,
                    "proto": 0,
                    "flags": socket.AI_NUMERICHOST,
                }
            )
        if not results:
            raise OSError(f"{host} has no usable addresses")
        return results

    async def close(self) -> None:
        """Nothing to release: the injected resolver owns no connections."""


def _parse_content_type(value: str | None) -> tuple[str, str | None]:
    if not value:
        return "", None
    media_type, *params = value.split(";")
    charset = None
    for param in params:
        name, _, raw = param.partition("=")
        if name.strip().lower() == "charset":
            charset = raw.strip().strip("\"'").lower() or None
    return media_type.strip().lower(), charset


# Connection failures members meet most, by errno name: the catalog's `connect_error` table.
_CONNECTION_ERRORS = {
    errno.ECONNREFUSED: "refused",
    errno.ECONNRESET: "reset",
    errno.ETIMEDOUT: "timed_out",
    errno.EHOSTUNREACH: "host_unreachable",
    errno.ENETUNREACH: "network_unreachable",
}


def _connection_detail(os_error: OSError) -> str:
    """Why a connection failed: a catalog message for the usual reasons, else the OS's words."""
    known = _CONNECTION_ERRORS.get(os_error.errno or 0)
    if known is not None:
        return message(f"connect_error.{known}")
    if os_error.errno:
        return os.strerror(os_error.errno).lower()
    return (os_error.strerror or type(os_error).__name__).lower()


def _status_text(response: aiohttp.ClientResponse) -> str:
    reason = response.reason
    if not reason:
        try:
            reason = http.HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
    if not reason:
        return message("fetch_error.status", status=response.status)
    if response.status in _TRANSLATED_STATUSES and reason == _standard_phrase(response.status):
        # The standard phrase has a translation; a server's own wording is shown as it is.
        reason = message(f"http_status.s{response.status}")
    return message("fetch_error.status_reason", status=response.status, reason=reason)


# Statuses whose standard phrase the catalog's `http_status` table translates.
_TRANSLATED_STATUSES = frozenset({400, 401, 403, 404, 410, 429, 500, 502, 503, 504})


def _standard_phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


class _HopError(Exception):
    """A problem with one URL in a redirect chain; `refused` marks SSRF refusals."""

    def __init__(self, detail: str, *, refused: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.refused = refused


class SafeFetcher:
    """Fetches http(s) URLs with size, time and redirect limits, refusing internal addresses.

    Holds one aiohttp session, created on first use inside the running loop; call `close()`
    or use `async with`.
    """

    def __init__(self, settings: Settings, resolver: HostResolver | None = None) -> None:
        self._settings = settings
        self._resolver: HostResolver = resolver or SystemResolver()
        self._allowed_hosts = AllowedHosts(settings.fetch_allowed_hosts)
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    async def __aenter__(self) -> SafeFetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session; the fetcher cannot be used afterwards."""
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("SafeFetcher is closed")
        if self._session is None:
            connector = aiohttp.TCPConnector(
                resolver=_GuardedResolver(self._resolver, self._allowed_hosts),
                # Caching would only save lookups; resolving per connection keeps the check
                # next to the connect that uses its answer.
                use_dns_cache=False,
                limit_per_host=4,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self._settings.fetch_timeout_seconds),
                # Environment proxies would route around the address checks.
                trust_env=False,
                auto_decompress=True,
            )
        return self._session

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchedResource:
        """GET `url`, following redirects; raises FetchError naming `url` and the reason.

        With `etag`/`last_modified` the request is conditional, and an unchanged resource comes
        back as a 304 with `not_modified` set and an empty body.
        """
        subject = url.strip()
        headers = {
            "User-Agent": self._settings.fetch_user_agent,
            "Accept": accept or DEFAULT_ACCEPT,
            "Accept-Encoding": "gzip, deflate",
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        session = self._get_session()
        seconds = self._settings.fetch_timeout_seconds
        try:
            # One deadline for the whole chain, so redirects cannot multiply the wait.
            async with asyncio.timeout(seconds):
                return await self._follow(session, subject, headers, etag, last_modified)
        except TimeoutError as error:
            raise FetchError(
                subject, message("fetch_error.timeout", seconds=f"{seconds:g}")
            ) from error

    def _check_url(self, url: URL) -> None:
        if not url.scheme:
            raise _HopError(message("fetch_error.no_scheme"))
        if url.scheme not in ("http", "https"):
            raise _HopError(message("fetch_error.bad_scheme", scheme=repr(url.scheme)))
        if not url.raw_host:
            raise _HopError(message("fetch_error.no_url_host"))
        if url.user is not None or url.password is not None:
            raise _HopError(message("fetch_error.credentials"))
        host = _normalize_host(url.raw_host)
        if self._allowed_hosts.allows(host, url.port):
            return
        if host in _METADATA_HOSTS:
            raise _HopError(message("fetch_error.metadata_host", host=host), refused=True)
        literal = _ip_literal(host)
        if literal is not None:
            refusal = address_refusal(host)
            if refusal:
                raise _HopError(refusal, refused=True)
        elif _numeric_looking(host):
            raise _HopError(message("fetch_error.numeric_host", host=host), refused=True)

    async def _follow(
        self,
        session: aiohttp.ClientSession,
        subject: str,
        headers: dict[str, str],
        etag: str | None,
        last_modified: str | None,
    ) -> FetchedResource:
        try:
            current = URL(subject)
        except (ValueError, TypeError) as error:
            raise FetchError(
                subject, message("fetch_error.invalid_url", detail=str(error))
            ) from error
        visited: set[str] = set()
        redirects = 0
        while True:
            is_hop = redirects > 0
            try:
                self._check_url(current)
                visited.add(str(current))
                async with session.get(current, headers=headers, allow_redirects=False) as response:
                    if response.status in _REDIRECT_STATUSES:
                        current = self._next_hop(subject, current, response, visited)
                        redirects += 1
                        if redirects > self._settings.fetch_max_redirects:
                            raise FetchError(
                                subject,
                                message(
                                    "fetch_error.too_many_redirects",
                                    limit=self._settings.fetch_max_redirects,
                                ),
                            )
                        continue
                    return await self._finish(subject, current, response, etag, last_modified)
            except _HopError as error:
                raise FetchError(subject, self._hop_reason(error, current, is_hop)) from None
            except _AddressRefused as error:
                hop = _HopError(error.detail, refused=True)
                raise FetchError(subject, self._hop_reason(hop, current, is_hop)) from None
            except TimeoutError:
                # aiohttp's timeouts are ClientErrors too; leave them to fetch()'s handler.
                raise
            except aiohttp.ClientConnectorDNSError as error:
                raise FetchError(
                    subject, message("fetch_error.no_host", host=current.host)
                ) from error
            except aiohttp.ClientSSLError as error:
                raise FetchError(subject, message("fetch_error.tls", host=current.host)) from error
            except aiohttp.ClientConnectorError as error:
                detail = _connection_detail(error.os_error)
                raise FetchError(
                    subject, message("fetch_error.no_connection", host=current.host, detail=detail)
                ) from error
            except aiohttp.ServerDisconnectedError as error:
                raise FetchError(subject, message("fetch_error.disconnected")) from error
            except aiohttp.ClientPayloadError as error:
                raise FetchError(subject, message("fetch_error.corrupt_body")) from error
            except aiohttp.InvalidURL as error:
                raise FetchError(
                    subject, message("fetch_error.invalid_url", detail=str(error))
                ) from error
            except aiohttp.ClientError as error:
                raise FetchError(
                    subject, message("fetch_error.request_failed", kind=type(error).__name__)
                ) from error

    @staticmethod
    def _hop_reason(error: _HopError, url: URL, is_hop: bool) -> str:
        if not is_hop:
            return (
                message("fetch_error.refused", detail=error.detail)
                if error.refused
                else error.detail
            )
        if error.refused:
            return message("fetch_error.refused_redirect", url=str(url), detail=error.detail)
        return message("fetch_error.redirect", url=str(url), detail=error.detail)

    @staticmethod
    def _next_hop(
        subject: str, current: URL, response: aiohttp.ClientResponse, visited: set[str]
    ) -> URL:
        location = response.headers.get("Location")
        if not location:
            raise FetchError(
                subject, message("fetch_error.no_location", status=_status_text(response))
            )
        try:
            target = current.join(URL(location.strip()))
        except ValueError as error:
            raise FetchError(
                subject, message("fetch_error.bad_location", location=repr(location))
            ) from error
        if str(target) in visited:
            raise FetchError(subject, message("fetch_error.redirect_loop", url=str(target)))
        return target

    async def _finish(
        self,
        subject: str,
        url: URL,
        response: aiohttp.ClientResponse,
        etag: str | None,
        last_modified: str | None,
    ) -> FetchedResource:
        content_type, charset = _parse_content_type(response.headers.get("Content-Type"))
        if response.status == 304:
            # Servers often omit validators on 304; the ones we sent are still current.
            return FetchedResource(
                requested_url=subject,
                url=str(url),
                status=304,
                content_type=content_type,
                charset=charset,
                body=b"",
                etag=response.headers.get("ETag") or etag,
                last_modified=response.headers.get("Last-Modified") or last_modified,
            )
        if not 200 <= response.status < 300:
            raise FetchError(subject, _status_text(response))
        body = await self._read_body(subject, response)
        return FetchedResource(
            requested_url=subject,
            url=str(url),
            status=response.status,
            content_type=content_type,
            charset=charset,
            body=body,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )

    async def _read_body(self, subject: str, response: aiohttp.ClientResponse) -> bytes:
        limit = self._settings.max_document_bytes
        declared = response.content_length
        if declared is not None and declared > limit:
            response.close()
            raise FetchError(subject, message("fetch_error.too_large", size=declared, limit=limit))
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                # Drop the connection rather than drain a body we will not keep.
                response.close()
                raise FetchError(subject, message("fetch_error.over_limit", limit=limit))
            chunks.append(chunk)
        return b"".join(chunks)
