"""Feed parsing (RSS, Atom, EUC-KR, malformed), sniffing, polling policy, and fetch + parse."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

import pytest

from digests.errors import InputError
from digests.ingest.feeds import (
    FEED_ACCEPT,
    failure_backoff,
    looks_like_feed,
    parse_feed,
    should_disable,
)
from digests.ingest.fetch import SafeFetcher
from digests.ingest.service import feed_entry_posts
from tests.support.local_http import FeedItem, LocalHTTPServer, atom_xml, rss_xml

KST = timedelta(hours=9)

RSS_ITEMS = [
    FeedItem(
        title="금리 인하 전망",
        link="https://blog.example.kr/posts/1",
        guid="post-1",
        author="홍길동",
        published="Mon, 06 Jan 2025 09:00:00 +0900",
        summary="짧은 요약",
        content="<p>한국은행은 <b>상반기</b>에 금리를 내릴 것이다.</p>",
    ),
    FeedItem(
        title="Link only",
        link="https://blog.example.kr/posts/2",
        published="Tue, 07 Jan 2025 10:30:00",
        summary="No guid here, so the link is the key.",
    ),
    FeedItem(
        title="Neither guid nor link",
        summary="Only words.",
        published="Wed, 08 Jan 2025 09:00:00 KST",
    ),
]


def _rss(items: list[FeedItem] = RSS_ITEMS, **kwargs: str) -> bytes:
    return rss_xml("경제 노트", "https://blog.example.kr/", items, **kwargs)


def _atom() -> bytes:
    items = [
        FeedItem(
            title="Atom post",
            link="https://news.example.com/a/1",
            guid="tag:news.example.com,2025:1",
            author="Kim Minji",
            published="2025-01-06T09:00:00+09:00",
            summary="Plain text summary, longer than nothing at all.",
        ),
        FeedItem(
            title="Atom HTML post",
            link="https://news.example.com/a/2",
            guid="tag:news.example.com,2025:2",
            published="2025-01-07T00:00:00Z",
            summary="short",
            content="<p>The <em>full</em> article body, much longer than the summary.</p>",
        ),
    ]
    return atom_xml("Example News", "https://news.example.com/", items, feed_id="urn:feed:1")


# --- parsing -----------------------------------------------------------------------------


def test_rss_entries_keys_authors_dates_and_content() -> None:
    feed = parse_feed(_rss(), "rss-test")

    assert (feed.title, feed.link) == ("경제 노트", "https://blog.example.kr/")
    first, second, third = feed.entries
    assert first.key == "post-1"
    assert second.key == "https://blog.example.kr/posts/2"
    assert re.fullmatch(r"[0-9a-f]{64}", third.key)
    assert (first.title, first.link, first.author) == (
        "금리 인하 전망",
        "https://blog.example.kr/posts/1",
        "홍길동",
    )
    assert second.author is None
    assert third.link is None
    # content:encoded is fuller than the description, so it wins, and it is HTML.
    assert first.content == "<p>한국은행은 <b>상반기</b>에 금리를 내릴 것이다.</p>"
    assert first.content_is_html
    assert second.content == "No guid here, so the link is the key."


def test_rss_dates_are_aware_and_keep_the_feed_offset() -> None:
    first, second, third = parse_feed(_rss(), "rss-test").entries

    assert first.published == datetime(2025, 1, 6, 0, 0, tzinfo=UTC)
    assert first.published is not None and first.published.utcoffset() == KST
    # No zone in the feed: read as UTC.
    assert second.published == datetime(2025, 1, 7, 10, 30, tzinfo=UTC)
    assert second.published is not None and second.published.utcoffset() == timedelta(0)
    assert third.published == datetime(2025, 1, 8, 0, 0, tzinfo=UTC)


def test_missing_date_is_none() -> None:
    feed = parse_feed(_rss([FeedItem(title="Undated", link="https://x.example/1")]), "rss")

    assert feed.entries[0].published is None


def test_hash_key_is_stable_and_depends_on_title_and_content() -> None:
    item = FeedItem(title="No ids", summary="Body text")
    changed_body = FeedItem(title="No ids", summary="Body text, edited")
    changed_title = FeedItem(title="No ids!", summary="Body text")

    key = parse_feed(_rss([item]), "rss").entries[0].key

    assert parse_feed(_rss([item]), "rss").entries[0].key == key
    assert parse_feed(_rss([changed_body]), "rss").entries[0].key != key
    assert parse_feed(_rss([changed_title]), "rss").entries[0].key != key


def test_atom_entries() -> None:
    feed = parse_feed(_atom(), "atom-test")

    assert (feed.title, feed.link) == ("Example News", "https://news.example.com/")
    text_entry, html_entry = feed.entries
    assert text_entry.key == "tag:news.example.com,2025:1"
    assert text_entry.author == "Kim Minji"
    assert text_entry.published == datetime(2025, 1, 6, 0, 0, tzinfo=UTC)
    assert text_entry.content == "Plain text summary, longer than nothing at all."
    assert not text_entry.content_is_html
    assert html_entry.published == datetime(2025, 1, 7, tzinfo=UTC)
    assert html_entry.content.startswith("<p>The <em>full</em> article body")
    assert html_entry.content_is_html


@pytest.mark.parametrize(
    ("declared", "codec", "title"),
    [
        ("EUC-KR", "euc-kr", "경제 노트"),
        # 똠 is a CP949 extension: strict EUC-KR cannot decode it, real Korean sites send it.
        ("EUC-KR", "cp949", "똠방각하 경제 노트"),
        ("ks_c_5601-1987", "cp949", "똠방각하 경제 노트"),
    ],
)
def test_euc_kr_rss_decodes(declared: str, codec: str, title: str) -> None:
    item = FeedItem(title="한국어 제목", link="https://kr.example/1", summary="본문 요약입니다")
    body = rss_xml(title, "https://kr.example/", [item], encoding=declared, python_codec=codec)
    assert "한국어 제목".encode() not in body

    feed = parse_feed(body, "kr-feed")

    assert feed.title == title
    assert feed.entries[0].title == "한국어 제목"
    assert feed.entries[0].content == "본문 요약입니다"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"this is not xml at all", "malformed feed XML: syntax error"),
        (b" \n", "malformed feed XML: empty document"),
        (b"<rss version='2.0'><channel><title>Oops</chan", "malformed feed XML: "),
        (b"<html><body><p>A web page</p></body></html>", "malformed feed XML: not an RSS or Atom"),
        (
            b"<?xml version='1.0'?><urlset><url><loc>x</loc></url></urlset>",
            "malformed feed XML: not an RSS",
        ),
    ],
)
def test_malformed_feed_names_the_subject(body: bytes, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_feed(body, "https://broken.example/feed")

    assert caught.value.subject == "https://broken.example/feed"
    assert caught.value.user_message.startswith("https://broken.example/feed: " + reason)
    assert "\n" not in caught.value.user_message


def test_well_formed_feed_without_entries_is_fine() -> None:
    feed = parse_feed(_rss([]), "empty")

    assert feed.title == "경제 노트"
    assert feed.entries == []


def test_parse_feed_refuses_text() -> None:
    with pytest.raises(TypeError):
        parse_feed("<rss/>", "text")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("application/rss+xml", b"", True),
        ("application/atom+xml; charset=utf-8", b"", True),
        ("text/xml", b"<?xml version='1.0'?><rss version='2.0'/>", True),
        ("application/xml", b"<?xml version='1.0'?><!-- hi --><feed/>", True),
        ("application/xml", b"<?xml version='1.0'?><urlset/>", False),
        ("text/html", b"\xef\xbb\xbf  <?xml version='1.0'?>\n<rss version='2.0'>", True),
        ("text/plain", b"<rdf:RDF xmlns:rdf='x'>", True),
        ("text/html", b"<!DOCTYPE html><html><head><title>x</title>", False),
        ("", b"<feed xmlns='http://www.w3.org/2005/Atom'>", True),
        ("application/json", b'{"items": []}', False),
        ("application/feed+json", b"", True),
        ("application/json", b'{"version": "https://jsonfeed.org/version/1.1"}', True),
        ("", b' {"version": "https://jsonfeed.org/version/1", "items": []}', True),
        ("text/html", b'{"version": "https://jsonfeed.org/version/1.1"}', False),
    ],
)
def test_looks_like_feed(content_type: str, body: bytes, expected: bool) -> None:
    assert looks_like_feed(content_type, body) is expected


# --- hostile feeds: every failure is an InputError naming the feed, in linear time -----------


def _one_item(title_xml: str, *, description: str = "본문이 여기 있다") -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>피드</title>'
        f"<item><title>{title_xml}</title><guid>g1</guid>"
        f"<link>https://blog.example/1</link><description>{description}</description>"
        "</item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    "reference",
    ["&#99999999;", "&#xD800;", "&#x110000;", "&#0;", "&#x1B;", "&#" + "9" * 5000 + ";"],
    ids=["beyond-unicode", "surrogate", "just-beyond", "nul", "escape", "5000-digits"],
)
def test_a_character_reference_naming_no_character_costs_one_character(reference: str) -> None:
    feed = parse_feed(_one_item(f"금리 {reference} 전망"), "https://blog.example/feed")

    (entry,) = feed.entries
    assert entry.title == "금리 \ufffd 전망"
    assert entry.content == "본문이 여기 있다"


def test_valid_character_references_are_kept() -> None:
    feed = parse_feed(_one_item("&#xAE08;&#47532; &#x1F4C8; &#65;"), "subject")

    assert feed.entries[0].title == "금리 📈 A"


def test_a_utf16_feed_with_a_bad_reference_parses() -> None:
    body = _one_item("금리 &#99999999; 전망").decode().encode("utf-16")

    assert parse_feed(body, "subject").entries[0].title == "금리 \ufffd 전망"


def test_a_parser_crash_becomes_an_input_error_naming_the_feed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise ValueError("chr() arg not in range(0x110000)")

    monkeypatch.setattr("digests.ingest.feeds.feedparser.parse", crash)

    with pytest.raises(InputError) as caught:
        parse_feed(_rss(), "https://blog.example/feed")

    assert caught.value.subject == "https://blog.example/feed"
    assert caught.value.reason == (
        "unreadable feed: the parser gave up (chr() arg not in range(0x110000))"
    )


@pytest.mark.parametrize(
    ("items", "links"),
    [
        # A guid that feedparser offers as the link is only an identifier.
        ("<item><title>a</title><guid>m2</guid></item>", [None]),
        (
            "<item><title>a</title><guid>https://blog.example/p/2</guid></item>",
            ["https://blog.example/p/2"],
        ),
        ("<item><title>a</title><link>/p/3</link></item>", ["https://blog.example/p/3"]),
        ("<item><title>a</title><link>javascript:alert(1)</link></item>", [None]),
        ("<item><title>a</title><link>https://exa mple.com/x</link></item>", [None]),
    ],
    ids=["guid-id", "guid-url", "relative", "javascript", "space"],
)
def test_entry_links_are_absolute_web_addresses_or_none(
    items: str, links: list[str | None]
) -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        f"<link>https://blog.example/</link>{items}</channel></rss>"
    ).encode()

    assert [entry.link for entry in parse_feed(body, "https://feeds.example/rss").entries] == links


def _json_feed(**extra: object) -> bytes:
    import json

    document: dict[str, object] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON 블로그",
        "home_page_url": "https://json.example/",
        "items": [
            {
                "id": "1",
                "url": "https://json.example/posts/1",
                "title": "첫 글",
                "content_html": "<p>반도체 업황은 <b>내년</b>에 회복될 것이다.</p>",
                "date_published": "2025-11-03T09:00:00+09:00",
                "authors": [{"name": "김작가"}],
            },
            {
                "id": 2,
                "content_text": "본문만 있는 글",
                "url": "/posts/2",
                "author": {"name": "Lee"},
            },
            "not an item",
        ],
    }
    document.update(extra)
    return json.dumps(document, ensure_ascii=False).encode()


def test_json_feed_entries() -> None:
    feed = parse_feed(_json_feed(), "https://json.example/feed.json")

    assert (feed.title, feed.link) == ("JSON 블로그", "https://json.example/")
    first, second = feed.entries
    assert (first.key, first.link, first.author, first.content_is_html) == (
        "1",
        "https://json.example/posts/1",
        "김작가",
        True,
    )
    assert first.published == datetime(2025, 11, 3, 0, 0, tzinfo=UTC)
    assert (second.key, second.link, second.author, second.content) == (
        "2",
        "https://json.example/posts/2",
        "Lee",
        "본문만 있는 글",
    )
    assert second.published is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "malformed JSON feed"),
        (_json_feed(items={"a": 1}), "malformed JSON feed: `items` is not a list"),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": ' + b"[" * 100_000,
            "malformed JSON feed",
        ),
        (b'{"version": "https://jsonfeed.org/version/1.1"} trailing', "malformed JSON feed"),
    ],
    ids=["truncated", "items-not-a-list", "nested-too-deeply", "trailing-garbage"],
)
def test_broken_json_feeds_are_input_errors(body: bytes, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_feed(body, "https://json.example/feed.json")

    assert caught.value.subject == "https://json.example/feed.json"
    assert caught.value.reason.startswith(reason)


def _seconds(work: Callable[[], object], repeat: int = 3) -> float:
    """The best of `repeat` timings: a pause of the machine only ever makes a run slower."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


# Each builds a feed whose entry holds `n` repetitions of something a careless parser handles
# in quadratic time (an unclosed tag, comment or script, a line a form detector looks at).
HOSTILE: dict[str, Callable[[int], bytes]] = {
    "unclosed-tags": lambda n: _one_item("t", description=escape("<" * n)),
    "unclosed-comments": lambda n: _one_item("t", description=f"<![CDATA[{'<!--' * n}]]>"),
    "unclosed-scripts": lambda n: _one_item("t", description=f"<![CDATA[{'<script>' * n}]]>"),
    "comment-markers": lambda n: _one_item("t", description="reply\n" * n),
    "unterminated-xml": lambda n: b'<rss version="2.0"><channel><item><title>' + b"<a " * n,
    "many-entries": lambda n: _rss(
        [FeedItem(title=f"t{i}", guid=f"g{i}", summary="s") for i in range(n // 20)]
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_feed_parsing_is_linear_in_the_input(name: str) -> None:
    # Four times the input may take at most eight times as long (quadratic would be 16x);
    # the sizes keep the larger case around a second on a busy 2-core machine.
    make = HOSTILE[name]
    small, large = make(10_000), make(40_000)

    def parse(body: bytes) -> None:
        try:
            feed = parse_feed(body, "hostile")
        except InputError:
            return
        feed_entry_posts(feed, "hostile", 1, ZoneInfo("Asia/Seoul"))

    parse(small)  # warm up imports and caches
    ratio = _seconds(lambda: parse(large)) / max(_seconds(lambda: parse(small)), 0.005)
    assert ratio < 8, f"{name}: 4x the input took {ratio:.1f}x as long"


# --- polling policy ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failures", "base", "cap", "minutes"),
    [
        (0, 5, 1440, 0),
        (1, 5, 1440, 5),
        (2, 5, 1440, 10),
        (3, 5, 1440, 20),
        (9, 5, 1440, 1280),
        (10, 5, 1440, 1440),
        (10_000, 5, 1440, 1440),
        (4, 7, 30, 30),
    ],
)
def test_failure_backoff(failures: int, base: int, cap: int, minutes: int) -> None:
    assert failure_backoff(failures, base, cap) == timedelta(minutes=minutes)


def test_failure_backoff_default_cap_is_a_day() -> None:
    assert failure_backoff(50, 5) == timedelta(hours=24)


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [
        (timedelta(hours=47, minutes=59), False),
        (timedelta(hours=48), True),
        (timedelta(days=3), True),
    ],
)
def test_should_disable(elapsed: timedelta, expected: bool) -> None:
    first = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)

    assert should_disable(first, first + elapsed, 48) is expected


# --- over HTTP ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rss", "atom"])
async def test_feed_fetch_parse_then_304(
    server: LocalHTTPServer, fetcher: SafeFetcher, kind: str
) -> None:
    body, content_type = (
        (_rss(), "application/rss+xml; charset=utf-8")
        if kind == "rss"
        else (_atom(), "application/atom+xml")
    )
    url = server.feed(f"/{kind}.xml", body, content_type=content_type)

    first = await fetcher.fetch(url, accept=FEED_ACCEPT)
    assert looks_like_feed(first.content_type, first.body)
    feed = parse_feed(first.body, url)
    again = await fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)

    assert first.etag == '"v1"'
    assert first.last_modified == "Mon, 06 Jan 2025 00:00:00 GMT"
    assert len(feed.entries) == (3 if kind == "rss" else 2)
    assert all(entry.published is None or entry.published.tzinfo for entry in feed.entries)
    assert again.not_modified
    assert again.body == b""
    assert server.requests_for(f"/{kind}.xml")[0].header("Accept") == FEED_ACCEPT


async def test_euc_kr_rss_over_http(server: LocalHTTPServer, fetcher: SafeFetcher) -> None:
    item = FeedItem(title="똠방각하 리뷰", guid="kr-1", summary="한국어 본문")
    body = rss_xml(
        "한국 블로그", "https://kr.example/", [item], encoding="EUC-KR", python_codec="cp949"
    )
    url = server.feed("/kr.xml", body, content_type="application/rss+xml; charset=EUC-KR")

    resource = await fetcher.fetch(url)
    feed = parse_feed(resource.body, url)

    assert resource.charset == "euc-kr"
    assert feed.title == "한국 블로그"
    assert [(e.key, e.title, e.content) for e in feed.entries] == [
        ("kr-1", "똠방각하 리뷰", "한국어 본문")
    ]


async def test_malformed_feed_over_http_names_the_url(
    server: LocalHTTPServer, fetcher: SafeFetcher
) -> None:
    url = server.feed("/bad.xml", b"<rss version='2.0'><channel><title>Oops</chan")

    resource = await fetcher.fetch(url)

    with pytest.raises(InputError, match=re.escape(f"{url}: malformed feed XML")):
        parse_feed(resource.body, url)
