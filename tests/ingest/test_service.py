"""IngestService end to end: files, pasted text and URLs into a real SQLite store.

URLs are served by a local HTTP server on 127.0.0.1; SSRF refusals are checked with a resolver
the test controls and the connection guard, so nothing ever leaves 127.0.0.0/8.
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.errors import FetchError, InputError
from digests.ingest.service import IngestService
from digests.models import IngestOutcome, SourceKind
from tests.conftest import make_settings as settings_for
from tests.ingest.conftest import ConnectionLog, ScriptedResolver
from tests.support.local_http import FeedItem, LocalHTTPServer, atom_xml, rss_xml

GUILD = 42
SEOUL = ZoneInfo("Asia/Seoul")
KST = timezone(timedelta(hours=9))

PARAGRAPHS = [
    "중국이 희토류 수출 통제를 강화하면서 공급망 불안이 커지고 있다. 미국과 유럽은 대체 공급선을 "
    "찾기 위해 분주하다.",
    "전문가들은 희토류 가격이 내년 상반기까지 높은 수준을 유지할 것으로 내다봤다. 관련 기업들의 "
    "주가도 크게 올랐다.",
    "Analysts say the export controls could reshape the supply chain for magnets used in "
    "electric vehicles.",
]

OpenServices = Callable[..., Awaitable[Services]]


def article_page(*, author: str = "Jane Doe") -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        '<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8">'
        "<title>희토류 전쟁의 시작</title>"
        f'<meta name="author" content="{author}">'
        '<meta property="article:published_time" content="2025-11-04T09:30:00+09:00">'
        '<link rel="canonical" href="https://news.example/articles/rare-earth">'
        '</head><body><nav><a href="/">Home</a> <a href="/about">About</a></nav>'
        f"<article><h1>희토류 전쟁의 시작</h1>{paragraphs}</article>"
        "<footer>© 2025 경제 노트</footer></body></html>"
    ).encode()


async def snapshot(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: the whole store, to prove it did not change."""
    tables = await services.store.database.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        if services.store.database.dialect == "sqlite"
        else "SELECT table_name AS name FROM information_schema.tables"
        " WHERE table_schema = 'public' ORDER BY table_name"
    )
    result = {}
    for table in tables:
        name = table["name"]
        rows = await services.store.database.fetch_all(f'SELECT * FROM "{name}"')
        result[name] = [tuple(row) for row in rows]
    return result


@pytest.fixture
async def open_services(
    tmp_path: Path, clock: ManualClock, resolver: ScriptedResolver
) -> AsyncIterator[OpenServices]:
    """Services on their own database with the scripted resolver and settings overrides."""
    opened: list[Services] = []

    async def build(**overrides: Any) -> Services:
        folder = tmp_path / f"db{len(opened)}"
        services = await Services.open(settings_for(folder, **overrides), clock, resolver=resolver)
        opened.append(services)
        return services

    yield build
    for services in opened:
        await services.close()


# --- files ------------------------------------------------------------------------------------


async def test_seeds_store_fourteen_posts_then_nothing(
    services: Services, shared_dir: Path
) -> None:
    seeds = shared_dir / "seeds"

    first = await services.ingest.ingest_inputs([seeds], GUILD)
    after_first = await snapshot(services)
    second = await services.ingest.ingest_inputs([str(seeds)], GUILD)

    assert first.failures == []
    assert len(first.stored) == 14
    assert await services.store.posts.count(GUILD) == 14
    assert second.failures == []
    assert second.stored == []
    assert len(second.results) == 14
    assert all(r.outcome is IngestOutcome.DUPLICATE for r in second.results)
    assert all(r.reason and r.reason.startswith("already stored as post") for r in second.results)
    assert [r.post_id for r in second.results] == [r.post_id for r in first.results]
    assert await snapshot(services) == after_first


async def test_seed_archive_posts_are_stored_with_gold_authors_and_dates(
    services: Services, shared_dir: Path
) -> None:
    gold = json.loads((shared_dir / "gold" / "seeds.json").read_text(encoding="utf-8"))
    (archive,) = [d for d in gold["documents"] if d["file"].startswith("002_")]

    report = await services.ingest.ingest_inputs([shared_dir / "seeds" / archive["file"]], GUILD)
    stored = [await services.store.posts.get(GUILD, r.post_id or 0) for r in report.stored]

    assert [
        (post.author, post.published.date().isoformat() if post.published else None)
        for post in stored
        if post is not None
    ] == [(item["author"], item["published"]) for item in archive["posts"]]
    assert all(post is not None and post.source_kind is SourceKind.FILE for post in stored)


async def test_undated_seed_is_stored_with_unknown_date_or_the_given_fallback(
    services: Services, shared_dir: Path
) -> None:
    (essay,) = (shared_dir / "seeds").glob("003_*.txt")
    (undated,) = (shared_dir / "seeds").glob("000_*.txt")
    fallback = datetime(2025, 11, 5, tzinfo=SEOUL)

    plain = await services.ingest.ingest_inputs([essay], GUILD)
    given = await services.ingest.ingest_inputs([undated], GUILD, published=fallback)

    assert [r.published for r in plain.stored] == [None]
    post = await services.store.posts.get(GUILD, given.stored[0].post_id or 0)
    assert post is not None and post.published == fallback


async def test_bad_inputs_leave_the_store_unchanged_and_are_reported_each(
    open_services: OpenServices, tmp_path: Path
) -> None:
    services = await open_services(max_document_bytes=2_000)
    inputs = tmp_path / "inputs"
    (inputs / "empty_folder").mkdir(parents=True)
    bad = {
        inputs / "missing.txt": (None, "no such file or folder"),
        inputs / "empty_folder": (None, "folder has no .txt, .md or .html files"),
        inputs / "binary.txt": (b"GIF89a\x00\x01\x00\x00", "binary file"),
        inputs / "empty.txt": (b"", "empty"),
        inputs / "blank.md": (b" \n\t\n  ", "empty"),
        inputs / "huge.txt": ("가".encode() * 700, "too large"),
        inputs / "garbage.txt": (bytes(range(0x80, 0x100)) * 4, "undecodable bytes"),
        inputs / "scripts.html": (
            b"<html><head><script>x=1</script></head><body><script>y()</script></body></html>",
            "no readable text",
        ),
        inputs / "slides.pptx": (b"PK\x03\x04", "unsupported file type .pptx"),
    }
    for path, (data, _reason) in bad.items():
        if data is not None:
            path.write_bytes(data)
    before = await snapshot(services)

    report = await services.ingest.ingest_inputs(list(bad), GUILD)

    assert report.results == []
    assert [f.source for f in report.failures] == [str(path) for path in bad]
    for failure, (path, (_data, reason)) in zip(report.failures, bad.items(), strict=True):
        assert failure.message.startswith(f"{path}: "), failure.message
        assert reason in failure.message, failure.message
        assert "\n" not in failure.message
    assert await snapshot(services) == before


async def test_good_inputs_are_stored_alongside_bad_ones(
    services: Services, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    good = folder / "good.txt"
    good.write_text("금리 메모\n" + PARAGRAPHS[0] + "\n" + PARAGRAPHS[1], encoding="utf-8")
    binary = folder / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02binary")
    missing = tmp_path / "missing.md"

    report = await services.ingest.ingest_inputs([missing, folder], GUILD)

    assert [r.title for r in report.stored] == ["금리 메모"]
    assert [f.source for f in report.failures] == [str(missing), str(binary)]
    assert await services.store.posts.count(GUILD) == 1


async def test_progress_is_reported_per_input(services: Services, shared_dir: Path) -> None:
    seen: list[str] = []

    await services.ingest.ingest_inputs([shared_dir / "seeds"], GUILD, on_progress=seen.append)

    assert len(seen) == 4
    assert all(Path(source).parent == shared_dir / "seeds" for source in seen)


# --- pasted text ------------------------------------------------------------------------------


async def test_pasted_text_is_stored_once(services: Services) -> None:
    text = "금리 메모\n" + PARAGRAPHS[1]

    (first,) = await services.ingest.ingest_text(text, GUILD, source="discord message 9")
    (again,) = await services.ingest.ingest_text("  " + text.upper() + "  ", GUILD)

    assert first.outcome is IngestOutcome.STORED
    post = await services.store.posts.get(GUILD, first.post_id or 0)
    assert post is not None
    assert (post.source, post.source_kind, post.title) == (
        "discord message 9",
        SourceKind.TEXT,
        "금리 메모",
    )
    assert post.text == PARAGRAPHS[1]
    assert post.published is None
    assert again.outcome is IngestOutcome.DUPLICATE
    assert again.reason == f"already stored as post {first.post_id} (same content)"
    assert await services.store.posts.count(GUILD) == 1


async def test_pasted_text_with_title_and_date(services: Services) -> None:
    published = datetime(2025, 11, 3, tzinfo=SEOUL)

    (result,) = await services.ingest.ingest_text(
        PARAGRAPHS[0], GUILD, title="희토류", published=published
    )

    post = await services.store.posts.get(GUILD, result.post_id or 0)
    assert post is not None
    assert (post.title, post.published, post.text) == ("희토류", published, PARAGRAPHS[0])


@pytest.mark.parametrize("text", ["", "   \n\t ", "본문 바로가기\nTags\n공유하기"])
async def test_empty_pasted_text_raises_and_stores_nothing(services: Services, text: str) -> None:
    before = await snapshot(services)

    with pytest.raises(InputError) as caught:
        await services.ingest.ingest_text(text, GUILD)

    assert caught.value.subject == "pasted text"
    assert await snapshot(services) == before


async def test_pasted_text_over_the_limit(open_services: OpenServices) -> None:
    services = await open_services(max_document_bytes=100)

    with pytest.raises(InputError, match="too large"):
        await services.ingest.ingest_text("가" * 34, GUILD)

    assert await services.store.posts.count(GUILD) == 0


# --- URLs -------------------------------------------------------------------------------------


async def test_article_page_is_stored_with_its_metadata(
    services: Services, server: LocalHTTPServer
) -> None:
    url = server.respond("/a", body=article_page(), content_type="text/html; charset=utf-8")

    (result,) = await services.ingest.ingest_url(url, GUILD)
    (again,) = await services.ingest.ingest_url(url, GUILD)

    post = await services.store.posts.get(GUILD, result.post_id or 0)
    assert post is not None
    assert post.source == url
    assert post.source_kind is SourceKind.URL
    assert post.title == "희토류 전쟁의 시작"
    assert post.author == "Jane Doe"
    assert post.published == datetime(2025, 11, 4, 9, 30, tzinfo=KST)
    assert post.canonical_url == "https://news.example/articles/rare-earth"
    assert post.text.split("\n") == PARAGRAPHS
    assert post.lang == "ko"
    assert again.outcome is IngestOutcome.DUPLICATE
    assert again.reason == f"already stored as post {result.post_id} (same canonical URL)"


async def test_korean_author_of_an_article_page_is_kept(
    services: Services, server: LocalHTTPServer
) -> None:
    url = server.respond(
        "/ko", body=article_page(author="홍길동"), content_type="text/html; charset=utf-8"
    )

    (result,) = await services.ingest.ingest_url(url, GUILD)

    assert result.author == "홍길동"


async def test_author_of_an_article_page_comes_from_its_json_ld(
    services: Services, server: LocalHTTPServer
) -> None:
    markup = article_page(author="").replace(
        b'<meta name="author" content="">',
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": '
        '[{"@type": "Person", "name": "김서연"}]}</script>'
        '<meta property="article:author" content="https://facebook.com/someone">'.encode(),
    )
    url = server.respond("/ld", body=markup, content_type="text/html; charset=utf-8")

    (result,) = await services.ingest.ingest_url(url, GUILD)

    assert result.author == "김서연"


@pytest.mark.parametrize("header_charset", [True, False], ids=["header", "meta-only"])
async def test_euc_kr_page_is_decoded(
    services: Services, server: LocalHTTPServer, header_charset: bool
) -> None:
    paragraphs = [
        "한국은행은 내년 상반기에 기준금리를 인하할 것으로 보인다. 시장은 이미 이를 반영하고 "
        "있으며 채권 금리도 내려가고 있다. " * 2,
        "똠방각하, 펲시, 햏 같은 CP949 전용 글자도 깨지지 않고 그대로 저장되어야 한다. " * 2,
    ]
    url = server.euc_kr_article(
        "/euc", "똠방각하 금리 전망", paragraphs, header_charset=header_charset
    )

    (result,) = await services.ingest.ingest_url(url, GUILD)

    post = await services.store.posts.get(GUILD, result.post_id or 0)
    assert post is not None
    assert post.title == "똠방각하 금리 전망"
    assert "똠방각하, 펲시, 햏 같은 CP949 전용 글자도" in post.text
    assert "한국은행은 내년 상반기에 기준금리를 인하할 것으로 보인다." in post.text
    assert not any("\x80" <= ch <= "\x9f" or ch == "\ufffd" for ch in post.title + post.text)


@pytest.mark.parametrize("kind", ["rss", "atom"])
async def test_feed_url_stores_one_post_per_entry(
    services: Services, server: LocalHTTPServer, kind: str
) -> None:
    items = [
        FeedItem(
            title=f"메모 {n}",
            link=f"https://blog.example/posts/{n}",
            guid=f"https://blog.example/posts/{n}",
            author="김작가",
            published=(
                f"Mon, 0{n} Nov 2025 09:00:00 +0900"
                if kind == "rss"
                else f"2025-11-0{n}T09:00:00+09:00"
            ),
            summary=f"{n}번째 글의 본문이다. 반도체 업황은 내년에 회복될 것이다. 메모리 가격도 오른다.",
        )
        for n in (1, 2, 3)
    ]
    if kind == "rss":
        url = server.feed("/feed", rss_xml("블로그", "https://blog.example/", items))
    else:
        url = server.feed(
            "/feed",
            atom_xml("블로그", "https://blog.example/", items, feed_id="urn:blog"),
            content_type="application/atom+xml",
        )

    results = await services.ingest.ingest_url(url, GUILD)
    again = await services.ingest.ingest_url(url, GUILD)

    assert [r.outcome for r in results] == [IngestOutcome.STORED] * 3
    posts = [await services.store.posts.get(GUILD, r.post_id or 0) for r in results]
    assert [(p.title, p.canonical_url, p.author) for p in posts if p] == [
        (f"메모 {n}", f"https://blog.example/posts/{n}", "김작가") for n in (1, 2, 3)
    ]
    assert [p.published for p in posts if p] == [
        datetime(2025, 11, n, 9, 0, tzinfo=KST) for n in (1, 2, 3)
    ]
    assert all(p is not None and p.source_kind is SourceKind.FEED for p in posts)
    assert [r.outcome for r in again] == [IngestOutcome.DUPLICATE] * 3
    assert await services.store.posts.count(GUILD) == 3


async def test_plain_text_url(services: Services, server: LocalHTTPServer) -> None:
    url = server.respond(
        "/note.txt",
        body=("금리 메모\n" + PARAGRAPHS[0]).encode("cp949"),
        content_type="text/plain; charset=euc-kr",
    )

    (result,) = await services.ingest.ingest_url(url, GUILD)

    post = await services.store.posts.get(GUILD, result.post_id or 0)
    assert post is not None
    assert (post.title, post.text, post.canonical_url) == ("금리 메모", PARAGRAPHS[0], url)


# --- URL failures: nothing stored -------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda server: server.error("/gone", 404), "HTTP 404 Not Found"),
        (lambda server: server.error("/broken", 500), "HTTP 500 Internal Server Error"),
        (lambda server: server.redirect_loop("/ping", "/pong"), "redirect loop at"),
        (
            lambda server: server.redirect_chain([f"/hop{n}" for n in range(7)], "/end"),
            "too many redirects",
        ),
        (
            lambda server: server.feed("/bad.xml", b"<rss version='2.0'><channel><title>x</chan"),
            "malformed feed XML",
        ),
        (
            lambda server: server.respond(
                "/empty.html",
                body=b"<html><body><script>x()</script></body></html>",
                content_type="text/html",
            ),
            "no readable text",
        ),
    ],
    ids=["404", "500", "redirect-loop", "too-many-redirects", "malformed-feed", "scripts-only"],
)
async def test_failed_urls_are_reported_and_store_nothing(
    services: Services,
    server: LocalHTTPServer,
    setup: Callable[[LocalHTTPServer], str],
    reason: str,
) -> None:
    url = setup(server)
    before = await snapshot(services)

    report = await services.ingest.ingest_inputs([url], GUILD)

    assert report.results == []
    (failure,) = report.failures
    assert failure.source == url
    assert failure.message.startswith(f"{url}: ")
    assert reason in failure.message
    assert await snapshot(services) == before


async def test_timeout_is_reported_and_stores_nothing(
    open_services: OpenServices, server: LocalHTTPServer
) -> None:
    services = await open_services(fetch_timeout_seconds=0.3)
    url = server.slow("/slow", 3.0)
    before = await snapshot(services)

    with pytest.raises(FetchError) as caught:
        await services.ingest.ingest_url(url, GUILD)

    assert caught.value.user_message == f"{url}: timed out after 0.3 s"
    assert await snapshot(services) == before


# --- SSRF -------------------------------------------------------------------------------------


async def test_loopback_is_refused_without_the_allow_list(
    open_services: OpenServices, server: LocalHTTPServer, connections: ConnectionLog
) -> None:
    services = await open_services(fetch_allowed_hosts=[])
    url = server.respond("/a", body=article_page(), content_type="text/html")

    report = await services.ingest.ingest_inputs([url], GUILD)

    (failure,) = report.failures
    assert failure.message == f"{url}: refused: loopback address 127.0.0.1"
    assert server.requests == []
    assert connections == []
    assert await services.store.posts.count(GUILD) == 0


@pytest.mark.parametrize(
    ("host", "address", "reason"),
    [
        ("intranet.example", "10.0.0.1", "resolves to private address 10.0.0.1"),
        (
            "metadata.example",
            "169.254.169.254",
            "resolves to cloud metadata address 169.254.169.254",
        ),
        ("loopy.example", "127.0.0.1", "resolves to loopback address 127.0.0.1"),
    ],
)
async def test_names_resolving_to_internal_addresses_are_refused_before_connecting(
    open_services: OpenServices,
    server: LocalHTTPServer,
    resolver: ScriptedResolver,
    connections: ConnectionLog,
    host: str,
    address: str,
    reason: str,
) -> None:
    services = await open_services(fetch_allowed_hosts=[])
    resolver.map(host, address)
    server.respond("/a", body=article_page(), content_type="text/html")
    url = server.url("/a", host=host)

    report = await services.ingest.ingest_inputs([url], GUILD)

    (failure,) = report.failures
    assert failure.message == f"{url}: refused: {reason}"
    assert host in resolver.calls
    assert connections == []
    assert server.requests == []
    assert await services.store.posts.count(GUILD) == 0


@pytest.mark.parametrize(
    ("target", "mapping", "detail"),
    [
        (
            "http://metadata.example:{port}/latest",
            ("metadata.example", "169.254.169.254"),
            "cloud metadata address 169.254.169.254",
        ),
        (
            "http://intranet.example:{port}/admin",
            ("intranet.example", "10.0.0.1"),
            "private address 10.0.0.1",
        ),
        (
            "http://169.254.169.254/latest/meta-data/",
            None,
            "cloud metadata address 169.254.169.254",
        ),
        ("http://[::1]:{port}/a", None, "loopback address ::1"),
    ],
    ids=["metadata-name", "private-name", "metadata-literal", "ipv6-loopback"],
)
async def test_redirects_to_internal_addresses_are_refused(
    open_services: OpenServices,
    server: LocalHTTPServer,
    resolver: ScriptedResolver,
    connections: ConnectionLog,
    target: str,
    mapping: tuple[str, str] | None,
    detail: str,
) -> None:
    # 127.0.0.1 is allowed (the local server), so the first hop is fetched; the redirect is not.
    services = await open_services()
    if mapping:
        resolver.map(*mapping)
    location = target.format(port=server.port)
    url = server.redirect("/go", location)

    report = await services.ingest.ingest_inputs([url], GUILD)

    (failure,) = report.failures
    assert failure.message.startswith(f"{url}: refused: redirect to ")
    assert detail in failure.message
    assert [r.path for r in server.requests] == ["/go"]
    assert connections.hosts() == {"127.0.0.1"}
    assert await services.store.posts.count(GUILD) == 0


# --- no garbage stored ------------------------------------------------------------------------


async def test_near_empty_text_is_refused_with_its_word_count(services: Services) -> None:
    before = await snapshot(services)

    with pytest.raises(InputError) as caught:
        await services.ingest.ingest_text("hi", GUILD)

    assert caught.value.user_message == (
        "pasted text: too little text: 1 real word, at least 10 needed (MIN_DOCUMENT_WORDS)"
    )
    assert await snapshot(services) == before


async def test_the_word_minimum_is_a_setting(open_services: OpenServices) -> None:
    services = await open_services(min_document_words=0)

    (result,) = await services.ingest.ingest_text("hi", GUILD)

    assert result.outcome is IngestOutcome.STORED


async def test_random_binary_files_are_all_refused_and_nothing_is_stored(
    services: Services, tmp_path: Path
) -> None:
    generator = random.Random(5001)
    files = []
    for number in range(500):
        path = tmp_path / f"upload{number}{generator.choice(['.txt', '.md', '.html'])}"
        path.write_bytes(generator.randbytes(generator.choice([1, 2, 5, 30, 300, 3000])))
        files.append(path)

    report = await services.ingest.ingest_inputs(files, GUILD)

    assert report.results == []
    assert len(report.failures) == 500
    assert await services.store.posts.count(GUILD) == 0
    reasons = {failure.message.split(": ", 1)[1].split(":")[0] for failure in report.failures}
    assert reasons <= {
        "binary file (contains NUL bytes), not text",
        "binary data (full of control characters), not text",
        "undecodable bytes",
        "too little text",
        "empty",
        "nothing but page furniture (menus, forms, widgets)",
        "HTML has no readable text (only scripts, styles or markup)",
    }, reasons


async def test_a_korean_page_whose_charset_lies_is_stored_as_korean(
    services: Services, server: LocalHTTPServer
) -> None:
    html = (
        '<!DOCTYPE html><html lang="ko"><head><meta charset="iso-8859-1">'
        "<title>희토류 전쟁의 시작</title></head><body><article><h1>희토류 전쟁의 시작</h1>"
        + "".join(f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS)
        + "</article></body></html>"
    )
    url = server.respond(
        "/lying", body=html.encode("cp949"), content_type="text/html; charset=ISO-8859-1"
    )

    (result,) = await services.ingest.ingest_url(url, GUILD)

    post = await services.store.posts.get(GUILD, result.post_id or 0)
    assert post is not None and post.title == "희토류 전쟁의 시작"
    assert PARAGRAPHS[0] in post.text and post.lang == "ko"


async def test_a_saved_copy_of_a_stored_page_is_a_duplicate(
    services: Services, server: LocalHTTPServer, tmp_path: Path
) -> None:
    page = article_page()
    url = server.respond("/articles/1", body=page, content_type="text/html; charset=utf-8")
    (stored,) = await services.ingest.ingest_url(url, GUILD)
    saved_html = tmp_path / "saved.html"
    saved_html.write_bytes(page)
    exported = tmp_path / "export.md"
    exported.write_text(
        "---\ntitle: 희토류 전쟁의 시작\n---\n# 희토류 전쟁의 시작\n\n"
        + "\n\n".join(f"**{p[:12]}**{p[12:]}" for p in PARAGRAPHS),
        encoding="utf-8",
    )

    report = await services.ingest.ingest_inputs([saved_html, exported], GUILD)

    assert [(r.outcome, r.post_id) for r in report.results] == [
        (IngestOutcome.DUPLICATE, stored.post_id)
    ] * 2
    assert report.results[1].reason == (
        f"already stored as post {stored.post_id} (nearly the same text)"
    )
    assert await services.store.posts.count(GUILD) == 1


async def test_a_crash_on_one_input_is_reported_and_the_batch_goes_on(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "a_broken.md"
    broken.write_text("# 망가진 글\n\n" + PARAGRAPHS[0], encoding="utf-8")
    good = tmp_path / "b_good.txt"
    good.write_text("희토류 메모\n\n" + "\n\n".join(PARAGRAPHS), encoding="utf-8")
    real = IngestService.posts_from_file

    def crash_on_broken(self: IngestService, path: Path, *args: Any) -> Any:
        if path == broken:
            raise KeyError("a bug of ours")
        return real(self, path, *args)

    monkeypatch.setattr(IngestService, "posts_from_file", crash_on_broken)

    report = await services.ingest.ingest_inputs([broken, good], GUILD)

    assert [failure.source for failure in report.failures] == [str(broken)]
    assert report.failures[0].message == (
        f"{broken}: internal error (KeyError); the details are in the bot's log"
    )
    assert [r.outcome for r in report.results] == [IngestOutcome.STORED]


async def test_a_feed_with_a_bad_character_reference_is_ingested(
    services: Services, server: LocalHTTPServer
) -> None:
    items = [
        FeedItem(
            title="희토류 &#99999999; 메모",
            guid="g1",
            link="https://news.example/1",
            summary=PARAGRAPHS[0],
        ),
        FeedItem(title="두 번째", guid="g2", link="https://news.example/2", summary=PARAGRAPHS[1]),
    ]
    body = rss_xml("경제 노트", "https://news.example/", items).replace(b"&amp;#", b"&#")
    url = server.feed("/feed.xml", body)

    results = await services.ingest.ingest_url(url, GUILD)

    assert [r.outcome for r in results] == [IngestOutcome.STORED] * 2
    assert results[0].title == "희토류 \ufffd 메모"
