"""PostRepository on a real SQLite file: guild scoping, trigram search, LIKE fallback, dedup."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from digests.ingest.text import content_hash
from digests.models import DateSource, Post, SourceKind
from digests.store import Store
from digests.store.database import load_migrations
from tests.support.stores import INTEGRITY_ERRORS

NOW = datetime(2025, 12, 15, 9, 0, tzinfo=UTC)
PDT = timezone(timedelta(hours=-7))
GUILD = 111
OTHER = 222


def make_post(
    text: str,
    *,
    guild_id: int = GUILD,
    title: str = "메모",
    url: str | None = None,
    published: datetime | None = None,
    lang: str = "ko",
) -> Post:
    return Post(
        guild_id=guild_id,
        source="test",
        source_kind=SourceKind.TEXT,
        canonical_url=url,
        title=title,
        published=published,
        lang=lang,
        text=text,
        content_hash=content_hash(text),
    )


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    opened = await Store.open(store_url)
    try:
        yield opened
    finally:
        await opened.close()


async def insert(store: Store, post: Post, ingested_at: datetime = NOW) -> int:
    async with store.transaction() as transaction:
        return await store.posts.insert(transaction, post, ingested_at)


async def duplicate_of(store: Store, post: Post) -> tuple[int, str] | None:
    async with store.transaction() as transaction:
        return await store.posts.find_duplicate(transaction, post)


# --- guild isolation --------------------------------------------------------------------------


async def test_a_post_of_one_guild_is_invisible_to_another(store: Store) -> None:
    post_id = await insert(
        store, make_post("중국의 희토류 수출 통제가 강화됐다.", title="희토류 전쟁")
    )

    assert await store.posts.get(GUILD, post_id) is not None
    assert await store.posts.get(OTHER, post_id) is None
    assert await store.posts.list(OTHER) == []
    assert await store.posts.count(OTHER) == 0
    assert await store.posts.search(OTHER, "희토류") == []
    assert await store.posts.search(OTHER, "중국") == []  # short query, LIKE path
    assert await store.posts.count(GUILD) == 1
    assert [p.id for p in await store.posts.search(GUILD, "희토류")] == [post_id]


async def test_each_guild_sees_only_its_own_posts(store: Store) -> None:
    ours = await insert(store, make_post("반도체 업황은 내년에 회복될 것이다.", guild_id=GUILD))
    theirs = await insert(store, make_post("반도체 가격이 내려갔다.", guild_id=OTHER))

    assert [p.id for p in await store.posts.list(GUILD)] == [ours]
    assert [p.id for p in await store.posts.list(OTHER)] == [theirs]
    assert [p.id for p in await store.posts.search(GUILD, "반도체")] == [ours]
    assert [p.id for p in await store.posts.search(OTHER, "반도체")] == [theirs]
    assert all(p.guild_id == OTHER for p in await store.posts.search(OTHER, "반도"))


# --- full-text search -------------------------------------------------------------------------


async def test_trigram_search_finds_korean_substrings_inside_words(store: Store) -> None:
    rare_earth = await insert(
        store,
        make_post("중국이 희토류수출통제를 강화하면서 공급망 불안이 커지고 있다.", title="공급망"),
    )
    await insert(store, make_post("한국은행은 기준금리를 동결했다.", title="금리"))

    for query in ("희토류", "토류수출", "수출통제를", "공급망 불안"):
        found = await store.posts.search(GUILD, query)
        assert [p.id for p in found] == [rare_earth], query


async def test_search_covers_the_title(store: Store) -> None:
    post_id = await insert(
        store, make_post("본문에는 그 단어가 없다.", title="엔비디아 실적 발표 정리")
    )

    assert [p.id for p in await store.posts.search(GUILD, "엔비디아")] == [post_id]


async def test_english_search_is_case_insensitive(store: Store) -> None:
    post_id = await insert(
        store,
        make_post("Broadcom shares jumped after the AI chip results.", title="Chips", lang="en"),
    )
    await insert(store, make_post("Utilities expect load growth to double.", lang="en"))

    for query in ("broadcom", "BROADCOM", "chip results", "AI Chip"):
        assert [p.id for p in await store.posts.search(GUILD, query)] == [post_id], query


async def test_search_without_a_match_and_blank_queries(store: Store) -> None:
    await insert(store, make_post("테슬라 로보택시 서비스 확대."))

    assert await store.posts.search(GUILD, "애플 M5") == []
    assert await store.posts.search(GUILD, "") == []
    assert await store.posts.search(GUILD, "   ") == []


@pytest.mark.parametrize(
    "query", ['say "hi', 'a"b"c', "NEAR(x y)", "foo AND bar", "C++*", "title:abc", "-abc"]
)
async def test_fts_syntax_in_a_query_is_treated_as_text(store: Store, query: str) -> None:
    literal = await insert(store, make_post(f"The text contains {query} literally.", lang="en"))
    await insert(store, make_post("Something else entirely, no operators.", lang="en"))

    found = await store.posts.search(GUILD, query)

    assert [p.id for p in found] == [literal]


async def test_search_limit(store: Store) -> None:
    for number in range(5):
        await insert(store, make_post(f"희토류 관련 글 {number}번."))

    assert len(await store.posts.search(GUILD, "희토류", limit=3)) == 3
    assert len(await store.posts.search(GUILD, "희토류")) == 5


# --- short queries: LIKE with escaping --------------------------------------------------------


async def test_short_korean_query_uses_substring_match(store: Store) -> None:
    rates = await insert(store, make_post("한국은행이 기준금리를 인하했다."))
    await insert(store, make_post("반도체 가격이 올랐다."))

    assert [p.id for p in await store.posts.search(GUILD, "금리")] == [rates]
    assert [p.id for p in await store.posts.search(GUILD, "인")] == [rates]


async def test_short_query_percent_is_literal(store: Store) -> None:
    percent = await insert(store, make_post("금리가 5% 올랐다."))
    await insert(store, make_post("금리가 5퍼센트 올랐다."))

    assert [p.id for p in await store.posts.search(GUILD, "%")] == [percent]
    assert [p.id for p in await store.posts.search(GUILD, "5%")] == [percent]


async def test_short_query_underscore_is_literal(store: Store) -> None:
    underscore = await insert(store, make_post("변수 이름은 snake_case 로 쓴다.", lang="en"))
    await insert(store, make_post("변수 이름은 snakeXcase 로 쓴다.", lang="en"))

    assert [p.id for p in await store.posts.search(GUILD, "_")] == [underscore]
    assert [p.id for p in await store.posts.search(GUILD, "e_")] == [underscore]


async def test_short_query_backslash_is_literal(store: Store) -> None:
    backslash = await insert(store, make_post("경로는 C:\\data 이다.", lang="en"))
    await insert(store, make_post("경로는 C:/data 이다.", lang="en"))

    assert [p.id for p in await store.posts.search(GUILD, "\\")] == [backslash]
    assert [p.id for p in await store.posts.search(GUILD, ":\\")] == [backslash]


# --- de-duplication ---------------------------------------------------------------------------


async def test_duplicate_by_canonical_url(store: Store) -> None:
    url = "https://news.example/articles/1"
    first = await insert(store, make_post("처음 가져온 본문.", url=url))

    same_url = make_post("기사가 수정되어 본문이 조금 바뀌었다.", url=url)

    assert await duplicate_of(store, same_url) == (first, "same canonical URL")
    assert await duplicate_of(store, make_post("전혀 다른 글.", url=url + "?x=1")) is None


async def test_duplicate_by_content_ignores_case_and_spacing(store: Store) -> None:
    first = await insert(store, make_post("Broadcom shares JUMPED\nafter the results.", lang="en"))

    reformatted = make_post("  broadcom   shares jumped after\tthe RESULTS. ", lang="en")

    assert reformatted.content_hash == content_hash("Broadcom shares JUMPED\nafter the results.")
    assert await duplicate_of(store, reformatted) == (first, "same content")
    assert await duplicate_of(store, make_post("Broadcom shares fell.", lang="en")) is None


async def test_duplicates_are_per_guild(store: Store) -> None:
    url = "https://news.example/articles/2"
    await insert(store, make_post("같은 글이 두 서버에 올라온다.", url=url))

    elsewhere = make_post("같은 글이 두 서버에 올라온다.", url=url, guild_id=OTHER)

    assert await duplicate_of(store, elsewhere) is None
    await insert(store, elsewhere)
    assert await store.posts.count(OTHER) == 1


async def test_schema_refuses_a_second_copy(store: Store) -> None:
    await insert(store, make_post("유일해야 하는 글.", url="https://a.example/1"))

    with pytest.raises(INTEGRITY_ERRORS):
        await insert(store, make_post("유일해야 하는 글."))
    with pytest.raises(INTEGRITY_ERRORS):
        await insert(store, make_post("다른 글이지만 URL 이 같다.", url="https://a.example/1"))
    assert await store.posts.count(GUILD) == 1


# --- round trip and listing -------------------------------------------------------------------


async def test_round_trip_keeps_fields_and_the_written_offset(store: Store) -> None:
    published = datetime(2025, 11, 4, 12, 47, tzinfo=PDT)
    post = make_post(
        "미국식 국가자본주의 시대의 개막.",
        title="국가자본주의",
        url="https://milk.example/1",
        published=published,
    )
    post_id = await insert(store, post)

    stored = await store.posts.get(GUILD, post_id)

    assert stored is not None
    assert stored.model_dump(exclude={"id", "ingested_at"}) == post.model_dump()
    assert stored.published is not None
    assert stored.published.utcoffset() == timedelta(hours=-7)
    assert stored.ingested_at == NOW


async def test_unknown_date_stays_unknown(store: Store) -> None:
    post_id = await insert(store, make_post("날짜를 알 수 없는 에세이."))

    stored = await store.posts.get(GUILD, post_id)

    assert stored is not None and stored.published is None


async def test_list_is_newest_first_and_filters_by_time(store: Store) -> None:
    old = await insert(store, make_post("오래된 글.", published=datetime(2025, 1, 1, tzinfo=UTC)))
    new = await insert(store, make_post("새 글.", published=datetime(2025, 11, 1, tzinfo=UTC)))
    undated = await insert(
        store, make_post("날짜 없는 글."), ingested_at=datetime(2025, 6, 1, tzinfo=UTC)
    )

    assert [p.id for p in await store.posts.list(GUILD)] == [new, undated, old]
    assert [p.id for p in await store.posts.list(GUILD, limit=1, offset=1)] == [undated]
    since = datetime(2025, 5, 1, tzinfo=UTC)
    assert [p.id for p in await store.posts.list(GUILD, since=since)] == [new, undated]
    until = datetime(2025, 10, 1, tzinfo=UTC)
    assert [p.id for p in await store.posts.list(GUILD, since=since, until=until)] == [undated]


async def test_recent_titles_match_newest_first_within_the_guild(store: Store) -> None:
    for index in range(5):
        await insert(store, make_post(f"본문 {index}번", title=f"반도체 전망: {index}번째 메모"))
    await insert(store, make_post("다른 서버 본문", title="반도체 전망: 다른 서버", guild_id=OTHER))
    found = await store.posts.recent_titled(GUILD, "전망:", limit=3)
    assert [post.title for post in found] == [
        "반도체 전망: 4번째 메모",
        "반도체 전망: 3번째 메모",
        "반도체 전망: 2번째 메모",
    ]
    assert await store.posts.recent_titled(GUILD, "50%_off", limit=3) == []
    assert len(await store.posts.recent_titled(GUILD, "전망:", limit=10, window=2)) == 2


# --- how a post's date was known (migration 0007) ----------------------------------------------


async def test_how_the_date_was_known_is_stored_and_read_back(store: Store) -> None:
    dated = make_post(
        "주소에 날짜가 있는 글", published=datetime(2025, 11, 4, tzinfo=UTC)
    ).model_copy(update={"published_source": DateSource.URL})
    undated = make_post("날짜를 모르는 글")

    dated_id = await insert(store, dated)
    undated_id = await insert(store, undated)

    read_dated = await store.posts.get(GUILD, dated_id)
    read_undated = await store.posts.get(GUILD, undated_id)
    assert read_dated is not None and read_dated.published_source is DateSource.URL
    assert read_undated is not None and read_undated.published_source is DateSource.UNKNOWN
    assert read_undated.date_source is DateSource.UNKNOWN


async def test_setting_a_post_date_moves_it_in_date_order_and_stays_in_its_guild(
    store: Store,
) -> None:
    old_id = await insert(store, make_post("2020년에 쓴 에세이"), NOW)
    newer_id = await insert(
        store, make_post("최근 글", published=datetime(2025, 12, 1, tzinfo=UTC)), NOW
    )
    given = datetime(2020, 9, 23, tzinfo=timezone(timedelta(hours=9)))

    async with store.transaction() as transaction:
        other_guild = await store.posts.set_published(
            transaction, OTHER, old_id, given, DateSource.GIVEN
        )
        changed = await store.posts.set_published(
            transaction, GUILD, old_id, given, DateSource.GIVEN
        )

    post = await store.posts.get(GUILD, old_id)
    assert (other_guild, changed) == (False, True)
    assert post is not None and post.published == given and post.published.utcoffset()
    assert post.published_source is DateSource.GIVEN
    # Undated, it sorted by its ingestion time (newest); dated 2020, it is the oldest now.
    assert [p.id for p in await store.posts.list(GUILD)] == [newer_id, old_id]
    assert await store.posts.count_between(GUILD, NOW - timedelta(days=1), NOW + timedelta(1)) == 0


async def test_migration_0007_marks_stored_posts_without_a_date_as_unknown(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path)
    try:
        for migration in load_migrations()[:6]:
            connection.executescript(migration.sql)
        connection.executemany(
            "INSERT INTO posts (guild_id, source, source_kind, title, published_at, published_ts,"
            " lang, text, content_hash, ingested_ts) VALUES (?, 'f', 'file', 't', ?, ?, 'ko', ?,"
            " ?, 0)",
            [(GUILD, None, None, "a", "ha"), (GUILD, "2025-11-04T00:00:00+00:00", 1, "b", "hb")],
        )
        connection.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL)"
        )
        connection.executemany(
            "INSERT INTO schema_migrations VALUES (?, ?, 'then')",
            [(m.version, m.name) for m in load_migrations()[:6]],
        )
        connection.commit()
    finally:
        connection.close()

    upgraded = await Store.open(str(path))
    try:
        rows = await upgraded.database.fetch_all(
            "SELECT text, published_source FROM posts ORDER BY id"
        )
        forecast_columns = await upgraded.database.fetch_all("PRAGMA table_info(forecasts)")
    finally:
        await upgraded.close()

    # Without a date: unknown. With one, how it was known was not recorded then: NULL.
    assert [tuple(row) for row in rows] == [("a", "unknown"), ("b", None)]
    assert "needs_date" in {row["name"] for row in forecast_columns}


async def test_a_date_source_outside_the_known_ones_is_refused(store: Store) -> None:
    post_id = await insert(store, make_post("글"))

    with pytest.raises(INTEGRITY_ERRORS, match=r"(?i)check"):
        await store.database.execute(
            "UPDATE posts SET published_source = 'guessed' WHERE id = ?", (post_id,)
        )


async def test_titles_by_source_name_each_file_by_its_latest_post_in_the_guild(
    store: Store,
) -> None:
    def from_file(text: str, source: str, title: str, guild_id: int = GUILD) -> Post:
        post = make_post(text, title=title, guild_id=guild_id)
        return post.model_copy(update={"source": source, "source_kind": SourceKind.FILE})

    await insert(store, from_file("첫 번째 메모의 본문", "/srv/a.txt", "첫 제목"))
    await insert(store, from_file("고친 메모의 본문", "/srv/a.txt", "고친 제목"))
    await insert(store, from_file("다른 서버의 메모", "/srv/b.txt", "남의 제목", guild_id=OTHER))

    titles = await store.posts.titles_by_source(GUILD, ["/srv/a.txt", "/srv/b.txt", "/srv/c"])

    assert titles == {"/srv/a.txt": "고친 제목"}  # the other guild's file is not named here
    # A newest post without a title leaves the name to the latest titled one.
    await insert(store, from_file("제목 없는 메모", "/srv/a.txt", ""))
    await insert(store, from_file("제목 없는 다른 메모", "/srv/d.txt", ""))
    titles = await store.posts.titles_by_source(GUILD, ["/srv/a.txt", "/srv/d.txt"])
    assert titles == {"/srv/a.txt": "고친 제목"}
