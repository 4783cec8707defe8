"""FeedService over a real store and a local HTTP server, with a clock the tests move by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.errors import FetchError, InputError, NotFound
from digests.models import IngestOutcome
from digests.settings import Settings
from digests.store.feeds import FeedRecord
from tests.conftest import make_settings as settings_for
from tests.support.local_http import FeedItem, LocalHTTPServer, rss_xml

GUILD = 7
OTHER = 8


def item(number: int) -> FeedItem:
    return FeedItem(
        title=f"시장 메모 {number}",
        link=f"https://blog.example/posts/{number}",
        guid=f"post-{number}",
        author="김작가",
        published=f"Mon, {number:02d} Dec 2025 09:00:00 +0900",
        summary=f"{number}번째 메모의 본문이다. 반도체 업황은 내년 상반기에 회복될 것이다.",
    )


def feed_body(numbers: Sequence[int]) -> bytes:
    return rss_xml("시장 블로그", "https://blog.example/", [item(n) for n in numbers])


async def entries(services: Services, feed_id: int) -> list[tuple[str, int, int | None]]:
    rows = await services.store.database.fetch_all(
        "SELECT entry_key, is_new, post_id FROM feed_entries WHERE feed_id = ? ORDER BY id",
        (feed_id,),
    )
    return [(row["entry_key"], row["is_new"], row["post_id"]) for row in rows]


async def reload(services: Services, feed: FeedRecord) -> FeedRecord:
    fresh = await services.store.feeds.get(feed.guild_id, feed.id)
    assert fresh is not None
    return fresh


@pytest.fixture
async def fast_disable(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Services]:
    """Services whose feeds are switched off after one hour of failures."""
    settings: Settings = settings_for(tmp_path, feed_disable_after_hours=1)
    opened = await Services.open(settings, clock)
    try:
        yield opened
    finally:
        await opened.close()


# --- add --------------------------------------------------------------------------------------


async def test_add_stores_current_entries_as_not_new(
    services: Services, server: LocalHTTPServer, clock: ManualClock
) -> None:
    url = server.feed("/feed.xml", feed_body([1, 2]))

    added = await services.feeds.add(GUILD, url, channel_id=555, added_by="user#1")

    feed = added.feed
    assert added.stored == 2
    assert (feed.guild_id, feed.url, feed.title) == (GUILD, url, "시장 블로그")
    assert (feed.channel_id, feed.added_by) == (555, "user#1")
    assert (feed.etag, feed.last_modified) == ('"v1"', "Mon, 06 Jan 2025 00:00:00 GMT")
    assert feed.failure_count == 0 and feed.active
    assert feed.created_at == clock.now()
    interval = timedelta(minutes=services.settings.feed_poll_minutes)
    assert clock.now() + interval <= feed.next_poll_at < clock.now() + 2 * interval
    rows = await entries(services, feed.id)
    assert [(key, is_new) for key, is_new, _ in rows] == [("post-1", 0), ("post-2", 0)]
    assert all(post_id is not None for _, _, post_id in rows)
    titles = sorted(p.title for p in await services.store.posts.list(GUILD))
    assert titles == ["시장 메모 1", "시장 메모 2"]


async def test_add_refuses_a_feed_the_guild_already_follows(
    services: Services, server: LocalHTTPServer
) -> None:
    url = server.feed("/feed.xml", feed_body([1]))
    await services.feeds.add(GUILD, url)
    requests = len(server.requests)

    with pytest.raises(InputError) as caught:
        await services.feeds.add(GUILD, url)

    assert caught.value.subject == url
    assert "already follows" in caught.value.reason
    assert len(server.requests) == requests
    assert len(await services.feeds.list(GUILD)) == 1
    assert await services.store.posts.count(GUILD) == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<rss version='2.0'><channel><title>Broken</chan", "malformed feed XML"),
        (b"<html><body><p>Just a web page</p></body></html>", "malformed feed XML"),
        (b"", "malformed feed XML: empty document"),
    ],
    ids=["truncated", "html", "empty"],
)
async def test_add_refuses_malformed_xml_and_stores_nothing(
    services: Services, server: LocalHTTPServer, body: bytes, reason: str
) -> None:
    url = server.feed("/bad.xml", body)

    with pytest.raises(InputError) as caught:
        await services.feeds.add(GUILD, url)

    assert caught.value.user_message.startswith(f"{url}: {reason}")
    assert await services.feeds.list(GUILD) == []
    assert await services.store.posts.count(GUILD) == 0
    assert await services.store.database.fetch_all("SELECT * FROM feed_entries") == []


async def test_add_of_an_unreachable_feed_stores_nothing(
    services: Services, server: LocalHTTPServer
) -> None:
    url = server.error("/gone.xml", 404)

    with pytest.raises(FetchError, match="HTTP 404"):
        await services.feeds.add(GUILD, url)

    assert await services.feeds.list(GUILD) == []


async def test_entries_already_stored_elsewhere_are_not_stored_again(
    services: Services, server: LocalHTTPServer
) -> None:
    url = server.feed("/feed.xml", feed_body([1, 2]))
    await services.ingest.ingest_url(url, GUILD)

    added = await services.feeds.add(GUILD, url)

    assert added.stored == 0
    assert await services.store.posts.count(GUILD) == 2
    assert [(key, is_new) for key, is_new, _ in await entries(services, added.feed.id)] == [
        ("post-1", 0),
        ("post-2", 0),
    ]


# --- poll -------------------------------------------------------------------------------------


async def test_poll_with_etag_gets_not_modified(
    services: Services, server: LocalHTTPServer, clock: ManualClock
) -> None:
    url = server.feed("/feed.xml", feed_body([1, 2]))
    feed = (await services.feeds.add(GUILD, url)).feed
    clock.advance(minutes=45)

    outcome = await services.feeds.poll(feed)

    assert outcome.not_modified
    assert outcome.new_posts == [] and outcome.error is None
    last = server.requests_for("/feed.xml")[-1]
    assert last.header("If-None-Match") == '"v1"'
    assert last.header("If-Modified-Since") == "Mon, 06 Jan 2025 00:00:00 GMT"
    fresh = await reload(services, feed)
    assert fresh.last_polled_at == clock.now()
    assert fresh.next_poll_at == clock.now() + timedelta(minutes=30)
    assert await services.store.posts.count(GUILD) == 2


async def test_first_fetch_entries_do_not_come_back_as_new(
    services: Services, server: LocalHTTPServer, clock: ManualClock
) -> None:
    url = server.feed("/feed.xml", feed_body([1, 2]), etag=None, last_modified=None)
    feed = (await services.feeds.add(GUILD, url)).feed
    clock.advance(hours=1)

    outcome = await services.feeds.poll(feed)

    assert not outcome.not_modified
    assert outcome.new_posts == []
    assert await services.store.posts.count(GUILD) == 2


async def test_new_entry_is_stored_once_and_returned_as_new(
    services: Services, server: LocalHTTPServer, clock: ManualClock
) -> None:
    url = server.feed("/feed.xml", feed_body([1, 2]))
    feed = (await services.feeds.add(GUILD, url)).feed

    server.feed("/feed.xml", feed_body([3, 1, 2]), etag='"v2"')
    clock.advance(hours=1)
    first = await services.feeds.poll(await reload(services, feed))
    clock.advance(hours=1)
    unchanged = await services.feeds.poll(await reload(services, feed))
    server.feed("/feed.xml", feed_body([3, 1, 2]), etag='"v3"')
    clock.advance(hours=1)
    refetched = await services.feeds.poll(await reload(services, feed))

    assert [r.title for r in first.new_posts] == ["시장 메모 3"]
    assert all(r.outcome is IngestOutcome.STORED for r in first.new_posts)
    assert unchanged.not_modified and unchanged.new_posts == []
    assert not refetched.not_modified and refetched.new_posts == []
    assert await services.store.posts.count(GUILD) == 3
    rows = await entries(services, feed.id)
    assert sorted((key, is_new) for key, is_new, _ in rows) == [
        ("post-1", 0),
        ("post-2", 0),
        ("post-3", 1),
    ]
    assert (await reload(services, feed)).etag == '"v3"'
    new_post = await services.store.posts.get(GUILD, first.new_posts[0].post_id or 0)
    assert new_post is not None
    assert new_post.canonical_url == "https://blog.example/posts/3"
    assert new_post.author == "김작가"


async def test_failures_back_off_exponentially(
    services: Services, server: LocalHTTPServer, clock: ManualClock
) -> None:
    url = server.feed("/feed.xml", feed_body([1]))
    feed = (await services.feeds.add(GUILD, url)).feed
    server.error("/feed.xml", 500)
    base = services.settings.feed_backoff_base_minutes

    first_failure = None
    for attempt in range(1, 5):
        clock.set((await reload(services, feed)).next_poll_at)
        first_failure = first_failure or clock.now()
        (outcome,) = await services.feeds.poll_due()
        fresh = await reload(services, feed)

        assert outcome.feed_id == feed.id
        assert outcome.error == f"{url}: HTTP 500 Internal Server Error"
        assert not outcome.disabled
        assert fresh.failure_count == attempt
        assert fresh.next_poll_at - clock.now() == timedelta(minutes=base * 2 ** (attempt - 1))
        assert fresh.first_failure_at == first_failure
        assert fresh.last_error == outcome.error
        assert fresh.active

    server.feed("/feed.xml", feed_body([1]), etag='"v9"')
    clock.set((await reload(services, feed)).next_poll_at)
    (recovered,) = await services.feeds.poll_due()
    fresh = await reload(services, feed)

    assert recovered.error is None
    assert (fresh.failure_count, fresh.first_failure_at, fresh.last_error) == (0, None, None)
    assert fresh.last_success_at == clock.now()


async def test_feed_is_disabled_after_failing_for_the_configured_hours(
    fast_disable: Services, server: LocalHTTPServer, clock: ManualClock
) -> None:
    services = fast_disable
    url = server.feed("/feed.xml", feed_body([1]))
    feed = (await services.feeds.add(GUILD, url)).feed
    server.error("/feed.xml", 503)

    outcomes = []
    first_failure = None
    while len(outcomes) < 20:
        clock.set((await reload(services, feed)).next_poll_at)
        first_failure = first_failure or clock.now()
        (outcome,) = await services.feeds.poll_due()
        outcomes.append((clock.now(), outcome))
        if outcome.disabled:
            break

    disabled_at, last = outcomes[-1]
    assert last.disabled
    assert disabled_at - first_failure >= timedelta(hours=1)
    assert all(not o.disabled and t - first_failure < timedelta(hours=1) for t, o in outcomes[:-1])
    fresh = await reload(services, feed)
    assert not fresh.active
    assert fresh.disabled_at == disabled_at
    assert fresh.disabled_reason == (
        f"disabled after failing for 1 hours: {url}: HTTP 503 Service Unavailable"
    )
    assert fresh.failure_count == len(outcomes)

    requests = len(server.requests)
    clock.advance(days=3)
    assert await services.feeds.poll_due() == []
    assert len(server.requests) == requests
    assert await services.store.feeds.list_active() == []
    assert (await services.feeds.list(GUILD))[0].disabled_reason == fresh.disabled_reason

    await services.feeds.enable(GUILD, feed.id)
    enabled = await reload(services, feed)
    assert enabled.active and enabled.disabled_reason is None and enabled.failure_count == 0


async def test_default_disable_waits_for_forty_eight_hours_of_failures(
    services: Services, server: LocalHTTPServer, clock: ManualClock
) -> None:
    url = server.feed("/feed.xml", feed_body([1]))
    feed = (await services.feeds.add(GUILD, url)).feed
    server.error("/feed.xml", 500)

    start = None
    disabled_after = None
    for _ in range(40):
        clock.set((await reload(services, feed)).next_poll_at)
        start = start or clock.now()
        (outcome,) = await services.feeds.poll_due()
        if outcome.disabled:
            disabled_after = clock.now() - start
            break

    assert services.settings.feed_disable_after_hours == 48
    assert disabled_after is not None
    assert timedelta(hours=48) <= disabled_after <= timedelta(hours=48 + 24)


async def test_poll_due_only_polls_feeds_whose_time_has_come(
    services: Services, server: LocalHTTPServer, clock: ManualClock
) -> None:
    early_url = server.feed("/early.xml", feed_body([1]))
    early = (await services.feeds.add(GUILD, early_url)).feed
    clock.advance(minutes=61)  # past `early`'s first poll (30 min + an offset under 30 min)
    late_url = server.feed("/late.xml", feed_body([2]))
    late = (await services.feeds.add(GUILD, late_url)).feed

    outcomes = await services.feeds.poll_due()

    assert early.next_poll_at <= clock.now() < late.next_poll_at
    assert [o.feed_id for o in outcomes] == [early.id]
    assert len(server.requests_for("/early.xml")) == 2
    assert len(server.requests_for("/late.xml")) == 1
    assert await services.feeds.poll_due() == []


async def test_poll_due_can_be_limited_to_guilds(
    services: Services, server: LocalHTTPServer, clock: ManualClock
) -> None:
    url = server.feed("/feed.xml", feed_body([1]))
    feed = (await services.feeds.add(GUILD, url)).feed
    clock.set(feed.next_poll_at)

    assert await services.feeds.poll_due({OTHER}) == []
    assert [o.feed_id for o in await services.feeds.poll_due({GUILD})] == [feed.id]


# --- guild isolation --------------------------------------------------------------------------


async def test_feeds_are_scoped_by_guild(services: Services, server: LocalHTTPServer) -> None:
    url = server.feed("/feed.xml", feed_body([1, 2]))
    feed = (await services.feeds.add(GUILD, url)).feed

    assert await services.feeds.list(OTHER) == []
    assert await services.store.feeds.get(OTHER, feed.id) is None
    with pytest.raises(NotFound):
        await services.feeds.remove(OTHER, feed.id)
    with pytest.raises(NotFound):
        await services.feeds.enable(OTHER, feed.id)
    assert [f.id for f in await services.feeds.list(GUILD)] == [feed.id]

    await services.feeds.remove(GUILD, feed.id)

    assert await services.feeds.list(GUILD) == []
    assert await services.store.database.fetch_all("SELECT * FROM feed_entries") == []
    assert await services.store.posts.count(GUILD) == 2  # stored posts stay
    with pytest.raises(NotFound):
        await services.feeds.remove(GUILD, feed.id)


async def test_two_guilds_can_follow_the_same_feed(
    services: Services, server: LocalHTTPServer
) -> None:
    url = server.feed("/feed.xml", feed_body([1, 2]))

    ours = await services.feeds.add(GUILD, url)
    theirs = await services.feeds.add(OTHER, url)

    assert ours.feed.id != theirs.feed.id
    assert (ours.stored, theirs.stored) == (2, 2)
    assert await services.store.posts.count(GUILD) == 2
    assert await services.store.posts.count(OTHER) == 2
    assert [f.url for f in await services.feeds.list(OTHER)] == [url]
