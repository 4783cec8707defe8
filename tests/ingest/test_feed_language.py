"""A new feed entry is announced in the guild's language (Korean for "ko", English otherwise)."""

from __future__ import annotations

from digests.app import Services
from digests.clock import ManualClock
from digests.commands.handlers import Commands
from tests.reminders.recording import RecordingTransport
from tests.support.local_http import FeedItem, LocalHTTPServer, rss_xml

KO_GUILD = 7
EN_GUILD = 8


def _body(numbers: list[int]) -> bytes:
    items = [
        FeedItem(
            title=f"시장 메모 {n}",
            link=f"https://blog.example/posts/{n}",
            guid=f"post-{n}",
            author="김작가",
            published=f"Mon, {n:02d} Dec 2025 09:00:00 +0900",
            summary=f"{n}번째 메모의 본문이다. 반도체 업황은 내년 상반기에 회복될 것이다.",
        )
        for n in numbers
    ]
    return rss_xml("시장 블로그", "https://blog.example/", items)


async def test_feed_announcements_follow_the_guild_language(
    services: Services, server: LocalHTTPServer, clock: ManualClock
) -> None:
    await services.store.guilds.update(KO_GUILD, clock.now(), language="ko")
    url = server.feed("/feed.xml", _body([1]))
    feeds = {
        guild: (await services.feeds.add(guild, url, channel_id=guild * 100)).feed
        for guild in (KO_GUILD, EN_GUILD)
    }
    server.feed("/feed.xml", _body([2, 1]), etag='"v2"')
    clock.advance(hours=1)
    for feed in feeds.values():
        fresh = await services.store.feeds.get(feed.guild_id, feed.id)
        assert fresh is not None
        await services.feeds.poll(fresh)

    transport = RecordingTransport()
    await services.scheduler(transport).tick()
    announced = {m.guild_id: m for m in transport.delivered if m.kind == "feed"}
    assert set(announced) == {KO_GUILD, EN_GUILD}
    commands = Commands(services)

    korean = announced[KO_GUILD]
    assert korean.payload["language"] == "ko"
    reply = await commands.render_delivery(korean.body, korean.late)
    assert (reply.title, reply.description) == ("시장 메모 2", "시장 블로그에 새 글 · 김작가")

    english = announced[EN_GUILD]
    assert english.payload["language"] == "en"
    reply = await commands.render_delivery(english.body, english.late)
    assert (reply.title, reply.description) == ("시장 메모 2", "New in 시장 블로그 · 김작가")
