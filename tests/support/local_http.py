"""A real HTTP server on 127.0.0.1 (random port) for tests that fetch over the network.

Routes can be registered at any time, even after start: one catch-all aiohttp route dispatches
on the request path. Every request is logged before it is handled, so tests can assert that a
request was, or was not, made. Builders produce article pages (UTF-8 or EUC-KR), RSS 2.0 and
Atom feeds; helpers serve them with validators and 304s, redirects, errors, slow and streamed
bodies.
"""

from __future__ import annotations

import asyncio
import gzip as gzip_module
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from types import TracebackType

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received."""

    method: str
    path: str
    path_qs: str
    headers: Mapping[str, str]

    def header(self, name: str) -> str | None:
        """A request header, case-insensitively (None if absent)."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None


@dataclass
class CannedResponse:
    """A fixed response: status, headers and body bytes, sent after an optional delay."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class StreamStats:
    """What a streamed endpoint managed to send before it finished or the client went away."""

    bytes_written: int = 0
    finished: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(frozen=True)
class FeedItem:
    """One item for `rss_xml` / `atom_xml`; None fields are left out of the XML."""

    title: str
    link: str | None = None
    guid: str | None = None
    author: str | None = None
    published: str | None = None
    summary: str | None = None
    content: str | None = None


def article_html(
    title: str, paragraphs: Sequence[str], *, charset: str = "utf-8", lang: str = "ko"
) -> str:
    """A small but realistic article page with a `<meta charset>`, title, nav and paragraphs."""
    body = "\n".join(f"    <p>{escape(p)}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n  <meta charset="{charset}">\n'
        f"  <title>{escape(title)}</title>\n</head>\n<body>\n"
        '  <nav><a href="/">Home</a></nav>\n'
        f"  <article>\n    <h1>{escape(title)}</h1>\n{body}\n  </article>\n"
        "</body>\n</html>\n"
    )


def euc_kr_page(title: str, paragraphs: Sequence[str]) -> bytes:
    """An article page declaring `<meta charset="euc-kr">`, encoded as CP949 the way sites do."""
    return article_html(title, paragraphs, charset="euc-kr").encode("cp949")


def _element(name: str, value: str | None, attrs: str = "") -> str:
    if value is None:
        return ""
    return f"<{name}{attrs}>{escape(value, quote=False)}</{name}>"


def rss_xml(
    title: str,
    link: str,
    items: Sequence[FeedItem],
    *,
    encoding: str = "utf-8",
    python_codec: str | None = None,
) -> bytes:
    """An RSS 2.0 feed; `encoding` goes in the XML declaration, `python_codec` encodes the bytes.

    `author` becomes `dc:creator` and `content` becomes `content:encoded` (CDATA).
    """
    parts = [
        f'<?xml version="1.0" encoding="{encoding}"?>',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        "<channel>",
        _element("title", title),
        _element("link", link),
        _element("description", f"{title} feed"),
    ]
    for item in items:
        parts.append("<item>")
        parts.append(_element("title", item.title))
        parts.append(_element("link", item.link))
        parts.append(_element("guid", item.guid, ' isPermaLink="false"'))
        parts.append(_element("dc:creator", item.author))
        parts.append(_element("pubDate", item.published))
        parts.append(_element("description", item.summary))
        if item.content is not None:
            parts.append(f"<content:encoded><![CDATA[{item.content}]]></content:encoded>")
        parts.append("</item>")
    parts += ["</channel>", "</rss>"]
    text = "\n".join(p for p in parts if p) + "\n"
    return text.encode(python_codec or encoding)


def atom_xml(title: str, link: str, items: Sequence[FeedItem], *, feed_id: str) -> bytes:
    """An Atom 1.0 feed (UTF-8). `summary` is plain text; `content` is HTML."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        _element("title", title),
        f'<link rel="alternate" href="{escape(link)}"/>',
        _element("id", feed_id),
        "<updated>2025-01-06T00:00:00Z</updated>",
    ]
    for item in items:
        parts.append("<entry>")
        parts.append(_element("title", item.title))
        if item.link is not None:
            parts.append(f'<link rel="alternate" href="{escape(item.link)}"/>')
        parts.append(_element("id", item.guid))
        if item.author is not None:
            parts.append(f"<author>{_element('name', item.author)}</author>")
        parts.append(_element("published", item.published))
        parts.append(_element("updated", item.published))
        parts.append(_element("summary", item.summary, ' type="text"'))
        parts.append(_element("content", item.content, ' type="html"'))
        parts.append("</entry>")
    parts += ["</feed>"]
    return ("\n".join(p for p in parts if p) + "\n").encode("utf-8")


class LocalHTTPServer:
    """An aiohttp.web server on 127.0.0.1 with a random port, a request log and canned routes.

    Use `async with LocalHTTPServer() as server:` (or `start()`/`stop()`). Unregistered paths
    answer 404.
    """

    host = "127.0.0.1"

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._routes: dict[str, Handler] = {}
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    async def __aenter__(self) -> LocalHTTPServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and start serving."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        # Cancel handlers whose client went away, and do not wait long for stragglers, so a
        # test that times out on the slow endpoint does not leave the server busy.
        self._runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=0.1, access_log=None
        )
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Stop serving and release the port."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def port(self) -> int:
        """The port the server listens on (after `start()`)."""
        if self._port is None:
            raise RuntimeError("LocalHTTPServer is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` with no trailing slash."""
        return f"http://{self.host}:{self.port}"

    def url(self, path: str, *, host: str | None = None) -> str:
        """The absolute URL of `path`, optionally with another host name in place of the IP."""
        return f"http://{host or self.host}:{self.port}{path}"

    def requests_for(self, path: str) -> list[RecordedRequest]:
        """The logged requests for `path` (query string ignored)."""
        return [r for r in self.requests if r.path == path]

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                path_qs=request.path_qs,
                headers=dict(request.headers),
            )
        )
        handler = self._routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text="no such route")
        return await handler(request)

    def route(self, path: str, handler: Handler) -> str:
        """Serve `path` with `handler` (any method); returns the URL."""
        self._routes[path] = handler
        return self.url(path)

    def respond(
        self,
        path: str,
        *,
        status: int = 200,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        content_type: str | None = None,
        delay: float = 0.0,
        gzip: bool = False,
    ) -> str:
        """Serve a canned response at `path`; with `gzip` the body is sent gzip-encoded."""
        canned = CannedResponse(status=status, body=body, headers=dict(headers or {}), delay=delay)
        if content_type is not None:
            canned.headers["Content-Type"] = content_type
        if gzip:
            canned.body = gzip_module.compress(body)
            canned.headers["Content-Encoding"] = "gzip"

        async def handler(request: web.Request) -> web.StreamResponse:
            if canned.delay:
                await asyncio.sleep(canned.delay)
            return web.Response(status=canned.status, body=canned.body, headers=canned.headers)

        return self.route(path, handler)

    def article(
        self,
        path: str,
        title: str,
        paragraphs: Sequence[str],
        *,
        gzip: bool = False,
    ) -> str:
        """A UTF-8 article page, `text/html; charset=utf-8`."""
        body = article_html(title, paragraphs).encode("utf-8")
        return self.respond(path, body=body, content_type="text/html; charset=utf-8", gzip=gzip)

    def euc_kr_article(
        self, path: str, title: str, paragraphs: Sequence[str], *, header_charset: bool = True
    ) -> str:
        """A CP949-encoded page with `<meta charset="euc-kr">` (and the header, if asked)."""
        content_type = "text/html; charset=EUC-KR" if header_charset else "text/html"
        return self.respond(path, body=euc_kr_page(title, paragraphs), content_type=content_type)

    def feed(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = "application/rss+xml; charset=utf-8",
        etag: str | None = '"v1"',
        last_modified: str | None = "Mon, 06 Jan 2025 00:00:00 GMT",
    ) -> str:
        """A feed with validators that answers 304 when a conditional request matches them."""

        async def handler(request: web.Request) -> web.StreamResponse:
            validators = {}
            if etag:
                validators["ETag"] = etag
            if last_modified:
                validators["Last-Modified"] = last_modified
            if_none_match = request.headers.get("If-None-Match")
            if_modified_since = request.headers.get("If-Modified-Since")
            if (etag and if_none_match == etag) or (
                not if_none_match and last_modified and if_modified_since == last_modified
            ):
                return web.Response(status=304, headers=validators)
            return web.Response(
                status=200, body=body, headers={**validators, "Content-Type": content_type}
            )

        return self.route(path, handler)

    def redirect(self, path: str, location: str, *, status: int = 302) -> str:
        """`path` redirects to `location` (relative or absolute, any scheme)."""
        return self.respond(path, status=status, headers={"Location": location})

    def redirect_chain(self, paths: Sequence[str], target: str, *, status: int = 302) -> str:
        """paths[0] → paths[1] → … → target, with relative Locations; returns the first URL."""
        hops = [*paths[1:], target]
        for path, location in zip(paths, hops, strict=True):
            self.redirect(path, location, status=status)
        return self.url(paths[0])

    def redirect_loop(self, first: str, second: str) -> str:
        """first → second → first …; returns the URL of `first`."""
        self.redirect(first, second)
        self.redirect(second, first)
        return self.url(first)

    def error(self, path: str, status: int) -> str:
        """An error status with a short text body."""
        return self.respond(
            path, status=status, body=f"error {status}".encode(), content_type="text/plain"
        )

    def slow(self, path: str, delay: float, body: bytes = b"finally") -> str:
        """Answers only after `delay` seconds."""
        return self.respond(path, body=body, content_type="text/plain", delay=delay)

    def streamed(
        self, path: str, *, chunk: bytes, count: int, content_type: str = "text/plain"
    ) -> StreamStats:
        """A chunked body of `count` × `chunk` with no Content-Length; returns live stats."""
        stats = StreamStats()

        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": content_type})
            response.enable_chunked_encoding()
            try:
                await response.prepare(request)
                for _ in range(count):
                    await response.write(chunk)
                    stats.bytes_written += len(chunk)
                await response.write_eof()
            except (ConnectionError, RuntimeError):
                pass
            finally:
                stats.finished.set()
            return response

        self.route(path, handler)
        return stats
