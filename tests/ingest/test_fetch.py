"""SafeFetcher against a real local HTTP server; SSRF checks with a scripted resolver."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable

import pytest

from digests.errors import FetchError
from digests.ingest.decode import decode_bytes
from digests.ingest.fetch import SafeFetcher, address_refusal
from tests.ingest.conftest import ConnectionLog, ScriptedResolver
from tests.support.local_http import LocalHTTPServer, article_html

FetcherFactory = Callable[..., SafeFetcher]

TITLE = "금리 전망"
PARAGRAPHS = ["한국은행은 내년 상반기에 기준금리를 인하할 것으로 보인다.", "Second paragraph."]


async def _refused(fetcher: SafeFetcher, url: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(url)
    error = caught.value
    assert error.subject == url
    assert error.user_message.startswith(f"{url}: ")
    assert "\n" not in error.user_message
    return error


# --- successful fetches -------------------------------------------------------------------


async def test_article_fetch_returns_body_final_url_and_media_type(
    server: LocalHTTPServer, fetcher: SafeFetcher, connections: ConnectionLog
) -> None:
    url = server.article("/post", TITLE, PARAGRAPHS)

    resource = await fetcher.fetch(url)

    assert resource.status == 200
    assert not resource.not_modified
    assert resource.requested_url == url
    assert resource.url == url
    assert resource.content_type == "text/html"
    assert resource.charset == "utf-8"
    assert resource.body == article_html(TITLE, PARAGRAPHS).encode("utf-8")
    # The spy sees aiohttp's connects, so the "nothing connected" assertions below mean something.
    assert connections.hosts() == {"127.0.0.1"}


async def test_request_carries_user_agent_accept_and_gzip(
    server: LocalHTTPServer, make_fetcher: FetcherFactory
) -> None:
    url = server.article("/post", TITLE, PARAGRAPHS)
    fetcher = make_fetcher(fetch_user_agent="HindsightTest/9")

    await fetcher.fetch(url)
    await fetcher.fetch(url, accept="application/rss+xml")

    first, second = server.requests_for("/post")
    assert first.header("User-Agent") == "HindsightTest/9"
    assert "text/html" in (first.header("Accept") or "")
    assert "gzip" in (first.header("Accept-Encoding") or "")
    assert first.header("If-None-Match") is None
    assert second.header("Accept") == "application/rss+xml"


async def test_gzip_body_is_decompressed(server: LocalHTTPServer, fetcher: SafeFetcher) -> None:
    url = server.article("/gz", TITLE, PARAGRAPHS, gzip=True)

    resource = await fetcher.fetch(url)

    assert resource.body == article_html(TITLE, PARAGRAPHS).encode("utf-8")


@pytest.mark.parametrize("header_charset", [True, False], ids=["header", "meta-only"])
async def test_euc_kr_page_decodes_to_korean(
    server: LocalHTTPServer, fetcher: SafeFetcher, header_charset: bool
) -> None:
    url = server.euc_kr_article("/kr", TITLE, PARAGRAPHS, header_charset=header_charset)

    resource = await fetcher.fetch(url)

    assert resource.charset == ("euc-kr" if header_charset else None)
    assert PARAGRAPHS[0].encode("cp949") in resource.body
    text = decode_bytes(resource.body, url, resource.charset)
    assert PARAGRAPHS[0] in text
    assert f"<title>{TITLE}</title>" in text


async def test_content_type_is_lowercased_without_parameters(
    server: LocalHTTPServer, fetcher: SafeFetcher
) -> None:
    url = server.respond(
        "/feed", body=b"<rss/>", content_type='Application/RSS+XML; Charset="UTF-8"'
    )

    resource = await fetcher.fetch(url)

    assert (resource.content_type, resource.charset) == ("application/rss+xml", "utf-8")


@pytest.mark.parametrize(
    ("etag", "last_modified"),
    [('"v1"', "Mon, 06 Jan 2025 00:00:00 GMT"), (None, "Tue, 07 Jan 2025 08:00:00 GMT")],
    ids=["etag", "last-modified-only"],
)
async def test_conditional_fetch_gets_304(
    server: LocalHTTPServer, fetcher: SafeFetcher, etag: str | None, last_modified: str
) -> None:
    url = server.feed("/feed.xml", b"<rss version='2.0'/>", etag=etag, last_modified=last_modified)

    first = await fetcher.fetch(url)
    second = await fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)

    assert (first.status, first.etag, first.last_modified) == (200, etag, last_modified)
    assert first.body == b"<rss version='2.0'/>"
    assert second.not_modified
    assert second.status == 304
    assert second.body == b""
    assert (second.etag, second.last_modified) == (etag, last_modified)
    conditional = server.requests_for("/feed.xml")[1]
    assert conditional.header("If-None-Match") == etag
    assert conditional.header("If-Modified-Since") == last_modified


async def test_stale_validators_get_the_full_body(
    server: LocalHTTPServer, fetcher: SafeFetcher
) -> None:
    url = server.feed("/feed.xml", b"<rss version='2.0'/>", etag='"v2"')

    resource = await fetcher.fetch(url, etag='"v1"')

    assert resource.status == 200
    assert resource.etag == '"v2"'


# --- HTTP errors, limits and redirects ---------------------------------------------------


async def test_404_names_url_and_status(server: LocalHTTPServer, fetcher: SafeFetcher) -> None:
    url = server.error("/missing", 404)

    error = await _refused(fetcher, url)

    assert error.reason == "HTTP 404 Not Found"


async def test_500_fails_at_once_without_retries(
    server: LocalHTTPServer, fetcher: SafeFetcher
) -> None:
    url = server.error("/boom", 500)
    started = time.monotonic()

    error = await _refused(fetcher, url)

    assert error.reason == "HTTP 500 Internal Server Error"
    assert time.monotonic() - started < 0.5
    assert len(server.requests_for("/boom")) == 1


async def test_slow_endpoint_times_out(
    server: LocalHTTPServer, make_fetcher: FetcherFactory
) -> None:
    url = server.slow("/slow", delay=3)
    fetcher = make_fetcher(fetch_timeout_seconds=0.3)
    started = time.monotonic()

    error = await _refused(fetcher, url)

    assert error.reason == "timed out after 0.3 s"
    assert time.monotonic() - started < 1.0


async def test_redirect_chain_is_followed(server: LocalHTTPServer, fetcher: SafeFetcher) -> None:
    server.article("/final", TITLE, PARAGRAPHS)
    url = server.redirect_chain(["/r1", "/r2", "/r3"], "/final")

    resource = await fetcher.fetch(url)

    assert resource.requested_url == url
    assert resource.url == server.url("/final")
    assert PARAGRAPHS[0].encode() in resource.body
    assert [r.path for r in server.requests] == ["/r1", "/r2", "/r3", "/final"]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_every_redirect_status_is_followed_to_an_absolute_location(
    server: LocalHTTPServer, fetcher: SafeFetcher, status: int
) -> None:
    target = server.article("/final", TITLE, PARAGRAPHS)
    url = server.redirect("/moved", target, status=status)

    resource = await fetcher.fetch(url)

    assert resource.url == target


async def test_redirect_loop_is_refused(server: LocalHTTPServer, fetcher: SafeFetcher) -> None:
    url = server.redirect_loop("/a", "/b")

    error = await _refused(fetcher, url)

    assert error.reason.startswith("redirect loop")
    assert [r.path for r in server.requests] == ["/a", "/b"]


async def test_too_many_redirects_are_refused(
    server: LocalHTTPServer, make_fetcher: FetcherFactory
) -> None:
    server.article("/final", TITLE, PARAGRAPHS)
    url = server.redirect_chain(["/r1", "/r2", "/r3"], "/final")
    fetcher = make_fetcher(fetch_max_redirects=2)

    error = await _refused(fetcher, url)

    assert error.reason.startswith("too many redirects")
    assert [r.path for r in server.requests] == ["/r1", "/r2", "/r3"]


async def test_redirects_up_to_the_limit_are_fine(
    server: LocalHTTPServer, make_fetcher: FetcherFactory
) -> None:
    server.article("/final", TITLE, PARAGRAPHS)
    url = server.redirect_chain(["/r1", "/r2"], "/final")

    resource = await make_fetcher(fetch_max_redirects=2).fetch(url)

    assert resource.url == server.url("/final")


async def test_oversize_body_with_content_length_is_refused(
    server: LocalHTTPServer, make_fetcher: FetcherFactory
) -> None:
    fetcher = make_fetcher(max_document_bytes=1000)
    fits = server.respond("/fits", body=b"x" * 1000, content_type="text/plain")
    too_big = server.respond("/big", body=b"x" * 1001, content_type="text/plain")

    assert len((await fetcher.fetch(fits)).body) == 1000
    error = await _refused(fetcher, too_big)
    assert error.reason.startswith("too large")


async def test_oversize_streamed_body_stops_reading_at_the_limit(
    server: LocalHTTPServer, make_fetcher: FetcherFactory
) -> None:
    total = 64 * 1024 * 1024
    stats = server.streamed("/endless", chunk=b"y" * 65536, count=total // 65536)
    fetcher = make_fetcher(max_document_bytes=100_000)
    url = server.url("/endless")

    error = await _refused(fetcher, url)

    assert error.reason.startswith("too large")
    await asyncio.wait_for(stats.finished.wait(), timeout=3)
    assert stats.bytes_written < total


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "unsupported scheme 'file'"),
        ("ftp://example.com/file.txt", "unsupported scheme 'ftp'"),
        ("javascript:alert(1)", "unsupported scheme 'javascript'"),
        ("example.com/no-scheme", "no scheme"),
        ("http:///no-host", "no host"),
        ("http://user:secret@127.0.0.1/", "credentials"),
    ],
)
async def test_non_http_and_odd_urls_are_refused(
    fetcher: SafeFetcher, connections: ConnectionLog, url: str, reason: str
) -> None:
    error = await _refused(fetcher, url)

    assert reason in error.reason
    assert connections == []


async def test_redirect_to_file_scheme_is_refused(
    server: LocalHTTPServer, fetcher: SafeFetcher
) -> None:
    url = server.redirect("/to-file", "file:///etc/passwd")

    error = await _refused(fetcher, url)

    assert error.reason.startswith("redirect to file:///etc/passwd (unsupported scheme")


async def test_closed_port_is_a_connection_error(fetcher: SafeFetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"

    error = await _refused(fetcher, url)

    assert error.reason.startswith("could not connect to 127.0.0.1")


async def test_unknown_host_is_a_resolution_error(fetcher: SafeFetcher) -> None:
    error = await _refused(fetcher, "http://nowhere.test/")

    assert error.reason == "could not resolve host nowhere.test"


# --- SSRF --------------------------------------------------------------------------------


async def test_local_server_is_refused_without_the_allow_list(
    server: LocalHTTPServer, make_fetcher: FetcherFactory, connections: ConnectionLog
) -> None:
    url = server.article("/post", TITLE, PARAGRAPHS)

    error = await _refused(make_fetcher(fetch_allowed_hosts=[]), url)

    assert error.reason == "refused: loopback address 127.0.0.1"
    assert server.requests == []
    assert connections == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1]/", "loopback address ::1"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata address 169.254.169.254"),
        ("http://[fd00:ec2::254]/", "cloud metadata address fd00:ec2::254"),
        ("http://metadata.google.internal/computeMetadata/v1/", "cloud metadata host"),
        ("http://10.0.0.1/", "private address 10.0.0.1"),
        ("http://172.16.5.4/", "private address 172.16.5.4"),
        ("http://192.168.0.1/", "private address 192.168.0.1"),
        ("http://[fc00::1]/", "private address fc00::1"),
        ("http://169.254.1.1/", "link-local address 169.254.1.1"),
        ("http://[fe80::1]/", "link-local address fe80::1"),
        ("http://100.64.0.1/", "shared (CGNAT) address 100.64.0.1"),
        ("http://0.0.0.0/", "unspecified address 0.0.0.0"),
        ("http://[::]/", "unspecified address ::"),
        ("http://224.0.0.1/", "multicast address 224.0.0.1"),
        ("http://[::ffff:10.0.0.1]/", "private address ::ffff:10.0.0.1"),
        ("http://[::ffff:127.0.0.1]/", "loopback address ::ffff:127.0.0.1"),
        ("http://[::ffff:169.254.169.254]/", "cloud metadata address"),
        ("http://127.1/", "non-canonical numeric address 127.1"),
        ("http://2130706433/", "non-canonical numeric address 2130706433"),
        ("http://0x7f000001/", "non-canonical numeric address 0x7f000001"),
    ],
)
async def test_internal_literals_are_refused_before_any_lookup_or_connection(
    make_fetcher: FetcherFactory,
    resolver: ScriptedResolver,
    connections: ConnectionLog,
    url: str,
    reason: str,
) -> None:
    error = await _refused(make_fetcher(fetch_allowed_hosts=[]), url)

    assert error.reason == f"refused: {reason}" or error.reason.startswith(f"refused: {reason}")
    assert resolver.calls == []
    assert connections == []


@pytest.mark.parametrize(
    ("addresses", "reason"),
    [
        (["10.0.0.1"], "resolves to private address 10.0.0.1"),
        (["169.254.169.254"], "resolves to cloud metadata address 169.254.169.254"),
        (["127.0.0.1"], "resolves to loopback address 127.0.0.1"),
        (["::1"], "resolves to loopback address ::1"),
        (["93.184.216.34", "10.0.0.1"], "resolves to private address 10.0.0.1"),
    ],
)
async def test_hostname_resolving_inside_is_refused_before_connecting(
    server: LocalHTTPServer,
    make_fetcher: FetcherFactory,
    resolver: ScriptedResolver,
    connections: ConnectionLog,
    addresses: list[str],
    reason: str,
) -> None:
    server.article("/post", TITLE, PARAGRAPHS)
    resolver.map("evil.test", *addresses)
    # The URL points at the live local server: only the guard stands between it and a request.
    url = server.url("/post", host="evil.test")

    error = await _refused(make_fetcher(fetch_allowed_hosts=[]), url)

    assert error.reason == f"refused: {reason}"
    assert resolver.calls == ["evil.test"]
    assert connections == []
    assert server.requests == []


async def test_allowed_address_does_not_allow_names_that_resolve_to_it(
    server: LocalHTTPServer,
    fetcher: SafeFetcher,
    resolver: ScriptedResolver,
    connections: ConnectionLog,
) -> None:
    server.article("/post", TITLE, PARAGRAPHS)
    resolver.map("rebind.test", "127.0.0.1")

    error = await _refused(fetcher, server.url("/post", host="rebind.test"))

    assert error.reason == "refused: resolves to loopback address 127.0.0.1"
    assert connections == []
    assert server.requests == []


@pytest.mark.parametrize(
    ("location", "mapping", "reason"),
    [
        (
            "http://evil.test/latest/meta-data/",
            ("evil.test", "169.254.169.254"),
            "refused: redirect to http://evil.test/latest/meta-data/ "
            "(resolves to cloud metadata address 169.254.169.254)",
        ),
        (
            "http://10.0.0.1/",
            None,
            "refused: redirect to http://10.0.0.1/ (private address 10.0.0.1)",
        ),
    ],
)
async def test_redirect_to_internal_address_is_refused_at_the_hop(
    server: LocalHTTPServer,
    fetcher: SafeFetcher,
    resolver: ScriptedResolver,
    connections: ConnectionLog,
    location: str,
    mapping: tuple[str, str] | None,
    reason: str,
) -> None:
    if mapping:
        resolver.map(*mapping)
    url = server.redirect("/hop", location)

    error = await _refused(fetcher, url)

    assert error.reason == reason
    assert [r.path for r in server.requests] == ["/hop"]
    assert connections.hosts() == {"127.0.0.1"}
    assert resolver.calls == ([mapping[0]] if mapping else [])


async def test_allow_listed_host_name_is_fetched(
    server: LocalHTTPServer,
    make_fetcher: FetcherFactory,
    resolver: ScriptedResolver,
    connections: ConnectionLog,
) -> None:
    server.article("/post", TITLE, PARAGRAPHS)
    resolver.map("blog.test", "127.0.0.1")
    url = server.url("/post", host="blog.test")

    resource = await make_fetcher(fetch_allowed_hosts=["Blog.Test"]).fetch(url)

    assert resource.url == url
    assert PARAGRAPHS[0].encode() in resource.body
    assert server.requests[0].header("Host") == f"blog.test:{server.port}"
    assert connections.hosts() == {"127.0.0.1"}


async def test_default_resolver_checks_real_lookups(
    server: LocalHTTPServer, make_fetcher: FetcherFactory, connections: ConnectionLog
) -> None:
    """`localhost` comes from /etc/hosts via getaddrinfo: refused unless allow-listed."""
    server.article("/post", TITLE, PARAGRAPHS)
    url = server.url("/post", host="localhost")

    refused = make_fetcher(system_resolver=True, fetch_allowed_hosts=["127.0.0.1"])
    error = await _refused(refused, url)
    assert error.reason.startswith("refused: resolves to loopback address")
    assert connections == []
    assert server.requests == []

    allowed = make_fetcher(system_resolver=True, fetch_allowed_hosts=["localhost"])
    resource = await allowed.fetch(url)
    assert PARAGRAPHS[0].encode() in resource.body


@pytest.mark.parametrize(
    ("address", "refusal"),
    [
        ("93.184.216.34", None),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("10.255.255.255", "private address 10.255.255.255"),
        ("100.127.255.254", "shared (CGNAT) address 100.127.255.254"),
        ("100.128.0.1", None),
        ("127.8.9.10", "loopback address 127.8.9.10"),
        ("fd12:3456::1", "private address fd12:3456::1"),
        ("2002:a00:1::", "private address 2002:a00:1::"),
        ("64:ff9b::a9fe:a9fe", "cloud metadata address 64:ff9b::a9fe:a9fe"),
        ("192.0.2.7", "private address 192.0.2.7"),
        ("not-an-ip", "unparseable address 'not-an-ip'"),
    ],
)
def test_address_refusal_table(address: str, refusal: str | None) -> None:
    assert address_refusal(address) == refusal


# --- lifecycle ---------------------------------------------------------------------------


def test_fetcher_can_be_built_outside_an_event_loop(make_settings: Callable) -> None:
    fetcher = SafeFetcher(make_settings())

    assert isinstance(fetcher, SafeFetcher)


async def test_async_with_closes_the_fetcher(
    server: LocalHTTPServer, make_settings: Callable, resolver: ScriptedResolver
) -> None:
    url = server.article("/post", TITLE, PARAGRAPHS)

    async with SafeFetcher(make_settings(), resolver) as fetcher:
        assert (await fetcher.fetch(url)).status == 200

    with pytest.raises(RuntimeError, match="closed"):
        await fetcher.fetch(url)


async def test_an_allow_listed_host_with_a_port_allows_that_port_only(
    server: LocalHTTPServer, make_fetcher: FetcherFactory, resolver: ScriptedResolver
) -> None:
    server.article("/post", TITLE, PARAGRAPHS)
    resolver.map("blog.test", "127.0.0.1")

    for allowed in ([f"127.0.0.1:{server.port}"], [f"blog.test:{server.port}"]):
        fetcher = make_fetcher(fetch_allowed_hosts=allowed)
        for host in ("127.0.0.1", "blog.test"):
            if host in allowed[0]:
                resource = await fetcher.fetch(server.url("/post", host=host))
                assert PARAGRAPHS[0].encode() in resource.body

    other_port = 1 if server.port != 1 else 2
    error = await _refused(
        make_fetcher(fetch_allowed_hosts=[f"127.0.0.1:{other_port}"]), server.url("/post")
    )
    assert error.reason == "refused: loopback address 127.0.0.1"
    error = await _refused(
        make_fetcher(fetch_allowed_hosts=[f"blog.test:{other_port}"]),
        server.url("/post", host="blog.test"),
    )
    assert error.reason == "refused: resolves to loopback address 127.0.0.1"
